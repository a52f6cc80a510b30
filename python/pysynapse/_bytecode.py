"""Bytecode caching in the copy of pysynapse that the Synapse host unpacks from its jar.

That copy lives in a directory only its user can reach, which the host checks before a worker runs
from it, and it holds a marker file (EXTRACTED_MARKER) so that a worker can tell it from a user's
own install. Its ``__pycache__`` then holds two kinds of file, written even under
PYTHONDONTWRITEBYTECODE (the directory is Synapse's, not the user's):

* pysynapse's own modules, compiled as the worker ends (cache_own_bytecode): otherwise every worker
  would compile pysynapse again.
* the module files workers run (script_code): Python caches what it imports but never the file it
  runs, and the first ``compile()`` in a process also builds the interpreter's AST types, about a
  millisecond of every start-up. Such a file is named by a hash of the module's path and checked
  against a hash of the module's source before it is used, as a hash-based ``.pyc`` is.

Anything that goes wrong with a cache file is ignored: the module is compiled as if there were no
cache, and the next worker tries again.
"""

import _imp
import marshal
import os
import sys

# A file the Synapse host puts into the copy of pysynapse it unpacks from its jar.
EXTRACTED_MARKER = ".extracted-by-synapse"

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
# The flags of a hash-based .pyc whose hash is checked (PEP 552).
_CHECKED_HASH = (0b11).to_bytes(4, "little")
_HEADER = 16  # magic number, flags, hash of the source


def _extracted():
    return os.path.exists(os.path.join(_PACKAGE, EXTRACTED_MARKER))


def _importlib_external():
    # CPython loads it as it starts; importing importlib.util instead costs start-up time.
    external = sys.modules.get("_frozen_importlib_external")
    if external is None:
        import importlib._bootstrap_external as external
    return external


def magic_number():
    """The first bytes of a compiled Python file of this interpreter."""
    return _importlib_external().MAGIC_NUMBER


def script_code(path, source):
    """The code object of the module file ``path`` whose content is ``source`` (bytes): read from
    the cache where it holds the code of exactly this source compiled as this path, else compiled,
    and then cached if this copy of pysynapse is the host's."""
    tag = sys.implementation.cache_tag
    if tag is None or not _extracted():
        return compile(source, path, "exec")
    external = _importlib_external()
    source_hash = _imp.source_hash(external._RAW_MAGIC_NUMBER, source)
    header = external.MAGIC_NUMBER + _CHECKED_HASH + source_hash
    path_hash = _imp.source_hash(external._RAW_MAGIC_NUMBER, os.fsencode(path)).hex()
    level = sys.flags.optimize
    cached = os.path.join(
        _PACKAGE,
        "__pycache__",
        "script-{}.{}{}.pyc".format(path_hash, tag, ".opt-{}".format(level) if level else ""),
    )
    code = _cached_code(cached, header, path)
    if code is None:
        code = compile(source, path, "exec")
        _write_private(cached, header + marshal.dumps(code))
    return code


def _cached_code(cached, header, path):
    try:
        with open(cached, "rb") as file:
            data = file.read()
    except OSError:
        return None
    if data[:_HEADER] != header:
        return None
    try:
        code = marshal.loads(memoryview(data)[_HEADER:])
    except (EOFError, ValueError, TypeError):
        return None
    # Two paths whose hashes collide: the code compiled for the other one names that file.
    return code if getattr(code, "co_filename", None) == path else None


def _write_private(target, data):
    """Writes ``data`` to ``target`` under a temporary name first, so that no reader ever sees
    part of it; the file is the owner's only."""
    temporary = "{}.{}.tmp".format(target, os.getpid())
    try:
        os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass


def cache_own_bytecode():
    """Writes the bytecode cache of pysynapse's modules if PYTHONDONTWRITEBYTECODE kept their
    imports from doing so and this copy of the package is the host's. Runs as the worker ends, so
    it costs a start-up nothing, and imports the compiler's module only when a file is missing."""
    if not sys.dont_write_bytecode or not _extracted():
        return
    cache_from_source = _importlib_external().cache_from_source
    missing = []
    for name in os.listdir(_PACKAGE):
        if name.endswith(".py"):
            source = os.path.join(_PACKAGE, name)
            try:
                cached = cache_from_source(source)
            except (NotImplementedError, ValueError):  # no cache tag, or an unusual name
                continue
            if not os.path.exists(cached):
                missing.append((source, cached))
    if not missing:
        return
    import py_compile

    for source, cached in missing:
        try:
            py_compile.compile(source, cfile=cached, doraise=True)
        except (OSError, ValueError, py_compile.PyCompileError):
            continue
