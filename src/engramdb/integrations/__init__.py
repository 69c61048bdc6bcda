"""engramdb inside agent frameworks: each module needs its framework's extra."""
