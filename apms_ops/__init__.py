"""apms-ops: review a PostgreSQL database against its intended design before a deploy."""

__version__ = "0.1.0"
