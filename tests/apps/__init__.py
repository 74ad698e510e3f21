"""Applications the tests run in other processes (gunicorn)."""
