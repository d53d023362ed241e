from directives.health import healthz


def test_it_answers_ok_without_signing_in(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_does_not(rf, db, monkeypatch):
    from django.db import DatabaseError, connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patch:  # undone before the database fixture tears down
        patch.setattr(connection, "cursor", broken_cursor)
        response = healthz(rf.get("/healthz/"))
    assert response.status_code == 503


def test_it_refuses_writes(client, db):
    assert client.post("/healthz/").status_code == 405
