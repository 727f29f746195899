"""hygis: a desktop GIS for the Hangzhou–Ningbo dual-city (杭甬"双城记") plan."""

__version__ = "0.1.0"
