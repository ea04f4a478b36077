"""riskmon: a terminal risk monitor for sellers who sell on several platforms at once."""

__version__ = "0.1.0"
