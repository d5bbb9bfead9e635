"""The exit statuses of the `docgen` command, in one place (README's "Exit status" table).

0 is success and 2 argparse's own status for a usage error; `diff` shares 1 with errors on
purpose: a changed layout fails a review step the same way.
"""
EXIT_ERROR = 1          # the command could not run (DocgenError, OSError on a user's path)
EXIT_CHANGED = 1        # `diff`: something changed
EXIT_REJECTED = 3       # some records were rejected; the good ones were rendered
EXIT_INTERRUPTED = 130  # Ctrl-C
