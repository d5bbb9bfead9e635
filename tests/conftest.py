import os
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# A shell that runs the tests in the background ignores SIGINT, and programs inherit an ignored
# signal: docgen would then never see the Ctrl-C the tests send it. A handler here is reset to the
# default in every program the tests start.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def font_cache_of_the_session(tmp_path_factory: pytest.TempPathFactory):
    """Every docgen the tests start, in this process or another, keeps its parsed fonts in a cache
    of this session (docgen.fonts.cache), never the user's own, which may hold anything."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(scope="session")
def render_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rendered")
