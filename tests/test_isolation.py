"""A workspace never sees another workspace's rows."""

from __future__ import annotations

from fitcheck.services.partners import list_partners


def test_partner_list_shows_only_the_signed_in_workspace(client, make_user, make_partner, sign_in):
    mine, theirs = make_user("mine@example.com"), make_user("theirs@example.com")
    make_partner(mine.workspace, "Aozora Design Works")
    make_partner(theirs.workspace, "Secret Client of Theirs")
    sign_in("mine@example.com")
    page = client.get("/partners/").get_data(as_text=True)
    assert "Aozora Design Works" in page
    assert "Secret Client of Theirs" not in page
    searched = client.get("/partners/?q=Secret").get_data(as_text=True)
    assert "Secret Client of Theirs" not in searched


def test_partner_search_treats_wildcards_as_text(make_user, make_partner):
    user = make_user()
    make_partner(user.workspace, "100% Natural")
    make_partner(user.workspace, "Ordinary Foods")
    names = [p.name for p in list_partners(user.workspace_id, search="%").partners.items]
    assert names == ["100% Natural"]


def test_partner_list_costs_the_same_queries_for_many_partners(app, make_user, make_partner):
    from sqlalchemy import event

    from fitcheck.extensions import db

    user = make_user()
    counts = []
    for total in (2, 15):
        while len(list_partners(user.workspace_id).partners.items) < total:
            make_partner(user.workspace)
        statements = []

        def record(*args, statements=statements):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            list_partners(user.workspace_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        counts.append(len(statements))
    assert counts[0] == counts[1] == 3
