class Bad(Exception):
    """An exception whose qualified name is not a builtin's."""
