__all__ = ["alpha", "_beta"]
alpha = "a"
_beta = "b"
gamma = "g"
