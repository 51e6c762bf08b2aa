"""Test data and helpers shared by the test modules (and, for the servers, the benchmark):

data       the seed, the article, a tiny dataset, the export schema, the test password, the backend
app        apps on test databases, loading documents and users into them, row counts
web        CSRF tokens, signing in, the add-event form through Flask's test client
databases  fresh databases copied from one migrated template; clone: copies of a prepared one
server     the one gunicorn starter, the flask CLI, free ports, a small HTTP client
pgserver   the suite's own throwaway PostgreSQL server
...        and helpers of one area each (atom, webhooks, receiver, browser, sessions, locks, changes)
"""
