"""MessagePack encoding and decoding of frame bodies.

``encode``/``decode`` use the C-accelerated ``msgpack`` package (>= 1.0) when it can be imported
(_msgpack_codec) and the pure-Python codec otherwise (_fallback); this module only chooses. The
two agree byte for byte, which the test suite checks against msgpack itself:

* encode: smallest encoding of every int, str, bin, array, map and ext header; floats always
  float64; tuples are arrays; bytes, bytearray and memoryview are bin; ``datetime.datetime`` is the
  timestamp ext type (-1), a naive datetime being taken as UTC; a numpy ndarray of a supported
  dtype is the ndarray ext type (1, see _ndarray.py) and a numpy scalar is its plain Python value;
  ints outside -2**63 .. 2**64-1 raise OverflowError and any other type raises TypeError.
* encode_body: what encode returns, but a large bin or ndarray value is referenced rather than
  copied: the result is then a ``Chunks``, the encoding in parts (for a frame body, which is
  written part by part). With msgpack, a large bin value that is the last item of the top-level
  array, as in ``[RESULT, id, value]``, and a large ndarray anywhere are referenced without a copy;
  a bin or ext value large enough for shared memory deeper in the value makes the whole value be
  encoded again by the pure encoder, which places it in the region.
* decode: str as str, bin as bytes, arrays as lists, maps as dicts with keys of any hashable type,
  the timestamp ext type as an aware UTC datetime (microseconds; nanoseconds are truncated), the
  ndarray ext type as a writable ndarray (a dict without numpy), any other ext type as
  ``ExtType(code, data)`` (any code, -128 too). Truncated input, extra bytes after the value,
  invalid type bytes, a malformed ndarray value, a timestamp outside datetime's range and an array
  or map as a map key raise ValueError.
* depth: a value nested deeper than MAX_DEPTH levels (one more for a frame's envelope) raises
  ValueError on encode and decode; recursion stays bounded by it.

Nothing decoded refers to the input: bin, str and ext data are copied out of it, so the caller may
reuse its buffer.
"""

from ._fallback import MAX_DEPTH, Chunks, pure_decode, pure_encode, type_name

try:
    from ._msgpack_codec import NAME, ExtType, decode, encode, encode_body
except ImportError:  # pragma: no cover - depends on the interpreter
    from ._fallback import NAME, ExtType, decode, encode, encode_body

__all__ = [
    "MAX_DEPTH",
    "NAME",
    "Chunks",
    "ExtType",
    "decode",
    "encode",
    "encode_body",
    "pure_decode",
    "pure_encode",
    "type_name",
]
