"""Put on PYTHONPATH, this makes ``import msgpack`` fail: pysynapse then uses its pure codec."""

raise ImportError("msgpack is hidden for this test")
