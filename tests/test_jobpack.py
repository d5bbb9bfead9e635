"""The job a batch sends to Dask workers (docgen.output.jobpack) and the TLS a cluster is reached
with: a worker opens the job from the pack alone, checks it by SHA-256, and refuses, naming
itself, when its docgen or fonts differ from the driver's; `tls://` takes Dask's security
configuration or the Security object given. The separate-process cluster is tests/test_dask_cluster.py."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import logging
import socket
import threading
from pathlib import Path

import pytest

from docgen import cli
from docgen.errors import BatchError
from docgen.output import jobpack
from docgen.output.batch import BatchOptions, run_batch
from docgen.output.jobpack import JobPack
from docgen.pipeline import open_job
from test_dask_cluster import outputs, outside_layout, records

distributed = pytest.importorskip("distributed")


@pytest.fixture
def fresh_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that has opened no pack yet (each worker process starts so)."""
    monkeypatch.setattr(jobpack, "_unpacked_jobs", {})
    monkeypatch.setattr(jobpack, "_local", threading.local())


def test_the_pack_holds_the_seal_and_images_not_the_drivers_paths(tmp_path: Path, fresh_worker: None) -> None:
    forms = tmp_path / "town-forms"
    driver = open_job(outside_layout(forms))
    pack = JobPack.of(driver)
    forms.rename(tmp_path / "away")                 # what the worker opens reads nothing of the driver's
    job = pack.job("w1")
    assert job.profile.seal != driver.profile.seal and job.profile.seal.parent.name.startswith("docgen-job-")
    assert job.profile.seal.read_bytes() == (tmp_path / "away" / "town-seal.png").read_bytes()
    [logo] = [el for el in job.layout.pages[0].elements if el.id == "logo"]
    assert logo.files()[0].read_bytes() == (tmp_path / "away" / "town-logo.png").read_bytes()
    assert job.layout.scheme.spec == driver.layout.scheme.spec                 # the outside scheme's rules
    assert [f.name for f in job.fields] == [f.name for f in driver.fields] and "name" in job.fields
    assert pack.job("w1") is job                   # opened once per thread


def test_a_worker_with_another_docgen_refuses_naming_itself(tmp_path: Path, fresh_worker: None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    pack = JobPack.of(open_job(outside_layout(tmp_path / "forms")))
    monkeypatch.setattr(jobpack, "docgen_version", lambda: "0.0.9")
    with pytest.raises(BatchError, match=r"^worker w2 \(tcp://10\.0\.0\.2:1234\) refuses the task: it has docgen "
                                         r"0\.0\.9, the driver docgen \S+; install the same docgen on every worker"):
        pack.job("w2 (tcp://10.0.0.2:1234)")


def test_a_worker_with_another_font_refuses_naming_it(tmp_path: Path, fresh_worker: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pack = JobPack.of(open_job(outside_layout(tmp_path / "forms")))
    theirs = [(family, "0" * 64 if family == "mincho" else digest) for family, digest in jobpack.font_digests()]
    monkeypatch.setattr(jobpack, "font_digests", lambda: tuple(theirs))
    with pytest.raises(BatchError, match=r"^worker w3 refuses the task: its font 'mincho' \(SHA-256 000000000000…\) "
                                         r"differs from the driver's \([0-9a-f]{12}…\); install the same docgen"):
        pack.job("w3")


def test_a_job_with_fonts_of_its_own_is_refused_rather_than_printed_in_docgens(
        tmp_path: Path, fresh_worker: None) -> None:
    """A job opened with another font configuration (from Python) would print in the worker's own
    fonts: the worker refuses it instead."""
    import yaml

    from docgen.fonts import load_fonts

    shipped = load_fonts().config
    files = {family: str(path) for family, path in shipped.files.items()} | {"mincho": str(shipped.files["gothic"])}
    config = tmp_path / "fonts.yaml"
    config.write_text(yaml.safe_dump({"files": files, "fallback": {k: list(v) for k, v in shipped.fallback.items()}, "default": shipped.default}),
                      encoding="utf-8")
    own = load_fonts(config)
    assert own.config.files["mincho"] != load_fonts().config.files["mincho"]
    pack = JobPack.of(open_job(outside_layout(tmp_path / "forms"), fonts=own))
    with pytest.raises(BatchError, match=r"^worker w5 refuses the task: its font 'mincho' \(SHA-256 [0-9a-f]{12}…\) "
                                         r"differs from the driver's"):
        pack.job("w5")


def test_a_damaged_pack_is_refused(tmp_path: Path, fresh_worker: None) -> None:
    pack = JobPack.of(open_job(outside_layout(tmp_path / "forms")))
    damaged = dataclasses.replace(pack, payload=pack.payload[:-1] + bytes([pack.payload[-1] ^ 1]))
    with pytest.raises(BatchError, match="^worker w4 refuses the task: the job it received does not match its SHA-256"):
        damaged.job("w4")


def test_a_worker_without_the_drivers_element_plugin_refuses(fresh_worker: None) -> None:
    """A class the pack names that the worker lacks (an element plug-in installed on the driver only)."""
    payload = b"cno_such_plugin\nStampElement\n."         # pickle's reference to a class, as a pack holds it
    pack = JobPack(hashlib.sha256(payload).hexdigest(), jobpack.docgen_version(), jobpack.font_digests(), payload)
    with pytest.raises(BatchError, match=r"^worker w6 refuses the task: it cannot open the job \(ModuleNotFoundError: "
                                         r"No module named 'no_such_plugin'\); install the same element plug-ins"):
        pack.job("w6")


def test_an_element_that_reads_a_file_other_than_an_image_stays_local(tmp_path: Path) -> None:
    """The pack carries images; another kind's file (an element plug-in's) would be read at the
    driver's path on the worker, whatever is there: refused before anything is sent."""
    job = open_job(outside_layout(tmp_path / "forms"))
    front, *rest = job.layout.pages
    title, *others = front.elements

    class ReadsAFile(type(title)):          # a plug-in kind that reads a file of its own
        def files(self) -> list[Path]:
            return [tmp_path / "forms" / "town-logo.png"]

    reads = ReadsAFile.model_construct(**dict(title))
    job.layout = dataclasses.replace(job.layout, pages=(dataclasses.replace(front, elements=(reads, *others)), *rest))
    with pytest.raises(BatchError, match=r"town-card\.yaml: element title \(text\) reads a file that --executor dask "
                                         r"cannot send to its workers; run this layout with --executor local$"):
        JobPack.of(job)


def test_a_refusing_dask_worker_stops_the_run_with_its_name(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            fresh_worker: None) -> None:
    layout = outside_layout(tmp_path / "forms")
    data, _ = records(tmp_path / "town.csv", 20)
    driver = threading.current_thread()
    monkeypatch.setattr(jobpack, "docgen_version", lambda: "0.1.0" if threading.current_thread() is driver else "0.0.9")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0",
                                  name="old-worker") as cluster:
        code = cli.main(["batch", str(layout), str(data), "-o", str(tmp_path / "out"), "--bundle-size", "10",
                         "--executor", "dask", "--scheduler", cluster.scheduler_address])
    err = capsys.readouterr().err
    assert code == 1
    [line] = [l for l in err.splitlines() if l.startswith("docgen:")]
    assert line.startswith("docgen: worker ") and "refuses the task: it has docgen 0.0.9, the driver docgen 0.1.0" in line
    assert "keeps the 0 finished bundle(s) of 2: run the same command with --resume" in line


def test_no_scheduler_at_the_address_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.output import executors

    with socket.socket() as s:           # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT_S", 1)
    data, _ = records(tmp_path / "town.csv", 4)
    address = f"tcp://127.0.0.1:{port}"
    code = cli.main(["batch", str(outside_layout(tmp_path / "forms")), str(data), "-o", str(tmp_path / "out"),
                     "--executor", "dask", "--scheduler", address])
    [line] = [l for l in capsys.readouterr().err.splitlines() if l.startswith("docgen:")]
    assert code == 1 and line.startswith(f"docgen: --scheduler {address}: no Dask scheduler answers there ("), line


# ---------------------------------------------------------------- TLS
def _certificates(folder: Path) -> dict[str, Path]:
    """A CA and one certificate for 127.0.0.1 it signed (the scheduler's, the worker's, the client's)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = dt.datetime.now(dt.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("docgen test CA")).issuer_name(name("docgen test CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now - dt.timedelta(hours=1))
          .not_valid_after(now + dt.timedelta(hours=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(2).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False).sign(ca_key, hashes.SHA256()))
    files = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return files


def test_a_tls_scheduler_with_dasks_configuration_or_a_security_object(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import dask
    from distributed.security import Security

    pem = _certificates(tmp_path)
    security = Security(tls_ca_file=str(pem["ca"]), tls_scheduler_cert=str(pem["cert"]),
                        tls_scheduler_key=str(pem["key"]), tls_worker_cert=str(pem["cert"]),
                        tls_worker_key=str(pem["key"]), tls_client_cert=str(pem["cert"]),
                        tls_client_key=str(pem["key"]), require_encryption=True)
    layout = outside_layout(tmp_path / "forms")
    data, _ = records(tmp_path / "town.csv", 20)
    argv = ["batch", str(layout), str(data), "--bundle-size", "10"]
    assert cli.main([*argv, "-o", str(tmp_path / "local")]) == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0",
                                  protocol="tls://", host="127.0.0.1", security=security) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tls://127.0.0.1:")
        on_dask = [*argv, "--executor", "dask", "--scheduler", address]
        # the command line: Dask's own configuration (a dask yaml file, or DASK_DISTRIBUTED__COMM__TLS__... variables)
        with dask.config.set({"distributed.comm.tls.ca-file": str(pem["ca"]),
                              "distributed.comm.tls.client.cert": str(pem["cert"]),
                              "distributed.comm.tls.client.key": str(pem["key"])}):
            assert cli.main([*on_dask, "-o", str(tmp_path / "config")]) == 0
        # the API: the Security object goes to the client as it is
        run_batch(BatchOptions(layout=str(layout), data=data, outdir=tmp_path / "api", bundle_size=10,
                               executor="dask", scheduler=address, security=security))
        capsys.readouterr()
        # no certificates: one line saying what to set
        assert cli.main([*on_dask, "-o", str(tmp_path / "none")]) == 1
    [line] = [l for l in capsys.readouterr().err.splitlines() if l.startswith("docgen:")]
    assert line.startswith(f"docgen: --scheduler {address}: no TLS certificates for the client: set Dask's "
                           "distributed.comm.tls.ca-file, .client.cert and .client.key (see docs/batch.md);"), line
    assert outputs(tmp_path / "config") == outputs(tmp_path / "local") == outputs(tmp_path / "api")


def test_an_unexpected_error_on_a_worker_travels_without_its_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask logs a failed task's error on the worker: a message that might hold a record's value
    (here the name) reaches neither that log nor the driver."""
    from docgen.output import batch as batch_module

    data, names = records(tmp_path / "town.csv", 10)
    name = sorted(names)[0]

    def render_bundle(task):        # noqa: ANN001, ANN202 - render_bundle's own
        raise ValueError(f"cannot print {name}")

    monkeypatch.setattr(batch_module, "render_bundle", render_bundle)
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    logging.getLogger("distributed").addHandler(handler)
    try:
        with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                      dashboard_address=":0") as cluster:
            code = cli.main(["batch", str(outside_layout(tmp_path / "forms")), str(data), "-o",
                             str(tmp_path / "out"), "--executor", "dask", "--scheduler", cluster.scheduler_address])
    finally:
        logging.getLogger("distributed").removeHandler(handler)
    err = capsys.readouterr().err
    [line] = [l for l in err.splitlines() if l.startswith("docgen:")]
    assert code == 1 and "a bundle failed with ValueError (its message stays on no log" in line
    assert "Compute Failed" in log.getvalue()               # the worker's log of it, read here
    assert name not in err + log.getvalue()
