"""Properties of pysynapse's decoders (both codecs) over arbitrary and mutated frame bodies: each
decode returns a value or raises ValueError, takes little time, and allocates memory in proportion
to the body, never to the lengths its headers claim."""

import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pysynapse import ExtType, _codec

DECODERS = {"pure": _codec.pure_decode, "selected": _codec.decode}

# Headers that claim far more than a small body holds: every container and byte-string size form.
CLAIMS = [
    bytes.fromhex(h)
    for h in [
        "ddffffffff",  # array 32 of 2**32-1 items
        "dfffffffff",  # map 32
        "dcffff",  # array 16
        "c6ffffffff",  # bin 32
        "dbffffffff",  # str 32
        "c9ffffffff01",  # ext 32, the ndarray code
        "c9ffffffff05",  # ext 32, another code
    ]
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.builds(ExtType, st.integers(min_value=2, max_value=127), st.binary(max_size=20)),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=30,
)


@st.composite
def mutated(draw):
    """The encoding of a value with some of its bytes changed, inserted, removed or cut off."""
    data = bytearray(bytes(_codec.encode(draw(values))))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "claim"]))
        at = draw(st.integers(min_value=0, max_value=len(data)))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.integers(min_value=0, max_value=255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif kind == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=4))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "claim":
            data[at:at] = draw(st.sampled_from(CLAIMS))
    return bytes(data)


def decode_within_bounds(decode, data):
    """Decodes ``data``: a value or ValueError, quickly, and memory bounded by the body's size."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        decode(data)
    except ValueError:
        pass
    finally:
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < 2.0, f"decoding {len(data)} bytes took {elapsed:.2f}s"
    assert peak < 1024 * 1024 + 200 * len(data), f"{peak} bytes allocated for {len(data)} bytes"


@pytest.fixture(params=sorted(DECODERS))
def decode(request):
    return DECODERS[request.param]


property_settings = settings(
    max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@property_settings
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes(decode, data):
    decode_within_bounds(decode, data)


@settings(property_settings, max_examples=100)
@given(data=mutated())
def test_mutated_encodings(decode, data):
    decode_within_bounds(decode, data)


@property_settings
@given(prefix=st.binary(max_size=8), claim=st.sampled_from(CLAIMS), rest=st.binary(max_size=64))
def test_headers_claiming_more_than_the_body_holds(decode, prefix, claim, rest):
    decode_within_bounds(decode, prefix + claim + rest)


@pytest.mark.parametrize("depth", [600, 5000, 200_000])
def test_deep_nesting_is_refused_without_recursion(decode, depth):
    with pytest.raises(ValueError, match="more than 512 levels deep"):
        decode(b"\x91" * depth + b"\xc0")
