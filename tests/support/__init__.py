"""Helpers for the tests that run the real server: gunicorn, the flask CLI, a plain HTTP client."""
