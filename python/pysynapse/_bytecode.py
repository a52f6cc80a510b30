"""Bytecode caching in the copy of pysynapse that the Synapse host unpacks from its jar.

That copy lives in a directory only its user can reach, which the host checks before a worker runs
from it, and it holds a marker file (EXTRACTED_MARKER) so that a worker can tell it from a user's
own install. Its ``__pycache__`` then holds two kinds of file, written even under
PYTHONDONTWRITEBYTECODE (the directory is Synapse's, not the user's):

* pysynapse's own modules, compiled as the worker ends (cache_own_bytecode): otherwise every worker
  would compile pysynapse again.
* the module files workers run (script_entry, load_script, store_script): Python caches what it
  imports but never the file it runs, and the first ``compile()`` in a process also builds the
  interpreter's AST types, a cost at every start-up that a bare ``python FILE`` does not pay. Such
  a file is named by a hash of the module's path and checked against a hash of the module's source
  before it is used, as a hash-based ``.pyc`` is. A worker that adds one keeps the newest
  KEPT_SCRIPTS (prune_scripts).

Anything that goes wrong with a cache file is ignored: the module is compiled as if there were no
cache, and the next worker tries again.
"""

import _imp
import io
import marshal
import os
import sys
import time

# A file the Synapse host puts into the copy of pysynapse it unpacks from its jar.
EXTRACTED_MARKER = ".extracted-by-synapse"

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_CACHE = os.path.join(_PACKAGE, "__pycache__")
_SCRIPT = "script-"
_TEMPORARY = ".tmp"
# The cached module files kept when a worker adds one, the newest written.
KEPT_SCRIPTS = 256
_STALE_SECONDS = 3600
_stored = False  # whether this worker cached a module file's code
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


def script_entry(path, source):
    """Where the code of the module file ``path`` whose content is ``source`` (bytes) is cached:
    ``(cache file, header that says its code is current, path)``, or None if this copy of
    pysynapse is not the host's (or the interpreter lacks CPython's private helpers)."""
    tag = sys.implementation.cache_tag
    if tag is None or not _extracted():
        return None
    try:
        external = _importlib_external()
        key = external._RAW_MAGIC_NUMBER
        header = external.MAGIC_NUMBER + _CHECKED_HASH + _imp.source_hash(key, source)
        name = _imp.source_hash(key, os.fsencode(path)).hex()
    except Exception:  # CPython's private helpers, which another interpreter may lack
        return None
    level = sys.flags.optimize
    name = "{}{}.{}{}.pyc".format(_SCRIPT, name, tag, ".opt-{}".format(level) if level else "")
    return os.path.join(_CACHE, name), header, path


def load_script(entry):
    """The cached code of a module file (``entry`` from script_entry), or None: the cache holds no
    code of exactly this source compiled as this path, or ``entry`` is None."""
    if entry is None:
        return None
    cached, header, path = entry
    try:
        with io.open_code(cached) as file:  # as CPython reads code, through any audit hook
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


def store_script(entry, code):
    """Caches ``code``, compiled from the module file of ``entry`` (from script_entry); nothing if
    ``entry`` is None."""
    global _stored
    if entry is not None:
        cached, header, _ = entry
        _stored = _write_private(cached, header + marshal.dumps(code)) or _stored


def _write_private(target, data):
    """Writes ``data`` to ``target`` under a temporary name first, so that no reader ever sees
    part of it; the file is the owner's only. Returns whether it was written."""
    temporary = "{}.{}-{}{}".format(target, os.getpid(), os.urandom(4).hex(), _TEMPORARY)
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
        return False
    return True


def prune_scripts(kept=KEPT_SCRIPTS, now=None):
    """If this worker cached a module file's code, deletes the least recently written cached
    module files beyond the ``kept`` newest, and temporary files an hour old (left by a worker
    killed while it wrote one): every module file a host ever ran would otherwise stay. Runs as
    the worker ends."""
    if not _stored:
        return
    now = time.time() if now is None else now
    scripts = []
    try:
        names = os.listdir(_CACHE)
    except OSError:
        return
    for name in names:
        path = os.path.join(_CACHE, name)
        try:
            if name.endswith(_TEMPORARY):
                if now - os.stat(path).st_mtime > _STALE_SECONDS:
                    os.unlink(path)
            elif name.startswith(_SCRIPT):
                scripts.append((os.stat(path).st_mtime, path))
        except OSError:  # gone meanwhile: another worker prunes too
            continue
    scripts.sort(reverse=True)
    for _, path in scripts[kept:]:
        try:
            os.unlink(path)
        except OSError:
            continue


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
