"""The rules of the service: plain arguments and a session in, domain errors out; no Flask."""
