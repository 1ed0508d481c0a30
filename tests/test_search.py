"""Full-text search: ranking, filters, phrases and prefixes, hostile input, other writers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime

import pytest
from dotnet_files import AGENT_ID, MESSAGE_IDS, SESSION_ID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from orchestrator_desktop.data import open_store
from orchestrator_desktop.data.enums import MessageRole
from orchestrator_desktop.data.search import SearchFilter, split_snippet, to_fts_query


@pytest.fixture
def corpus(store):
    a = store.sessions.create("Alpha")
    b = store.sessions.create("Beta")
    texts = [
        (a.id, MessageRole.User, None, "How do I parse JSON in Python quickly?"),
        (a.id, MessageRole.Assistant, "default-claude",
         "Use the json module: json.loads parses a string. Parsing is quick."),
        (b.id, MessageRole.User, None, "The parser crashed on a deeply nested document"),
        (b.id, MessageRole.Assistant, "default-saturn", "Café naïve résumé: accents are folded"),
        (b.id, MessageRole.Tool, None, 'Output: {"error": "col:x AND (unbalanced"}'),
    ]
    ids = [store.sessions.add_message(s, text, role, agent_id=agent).id
           for s, role, agent, text in texts]
    return store, a, b, ids


def test_results_are_ranked_with_highlighted_snippets(corpus) -> None:
    store, _a, _b, ids = corpus
    result = store.search.search("json")
    assert [hit.message_id for hit in result.hits] == [ids[1], ids[0]]  # two mentions rank first
    hit = result.hits[0]
    assert hit.session_name == "Alpha" and hit.agent_name == "Claude Assistant"
    marked = [hit.snippet[start:end] for start, end in hit.highlights]
    assert marked and all(word.lower() == "json" for word in marked)


def test_phrases_prefixes_and_accents(corpus) -> None:
    store, _a, _b, ids = corpus
    assert [h.message_id for h in store.search.search('"parses a string"').hits] == [ids[1]]
    assert {h.message_id for h in store.search.search("pars*").hits} == {ids[0], ids[1], ids[2]}
    assert [h.message_id for h in store.search.search("cafe resume").hits] == [ids[3]]


def test_or_and_not_between_words(corpus) -> None:
    store, _a, _b, ids = corpus
    assert {h.message_id for h in store.search.search("crashed OR accents").hits} == {
        ids[2], ids[3]}
    assert {h.message_id for h in store.search.search("json NOT module").hits} == {ids[0]}


def test_filters_by_session_role_agent_and_date(corpus) -> None:
    store, a, b, ids = corpus
    assert {h.message_id for h in store.search.search(
        "pars*", SearchFilter(session_id=b.id)).hits} == {ids[2]}
    assert {h.message_id for h in store.search.search(
        "pars*", SearchFilter(role=MessageRole.User)).hits} == {ids[0], ids[2]}
    # a file in today's form has every message name an agent: the user's falls back to the
    # default agent (the .NET application's FK allows nothing else)
    assert {h.message_id for h in store.search.search(
        "json", SearchFilter(agent_id="default-claude")).hits} == {ids[0], ids[1]}
    assert {h.message_id for h in store.search.search("json", SearchFilter(
        agent_id="default-claude", role=MessageRole.Assistant)).hits} == {ids[1]}
    assert store.search.search("json", SearchFilter(until=datetime(2000, 1, 1))).hits == ()
    assert len(store.search.search("json", SearchFilter(since=datetime(2000, 1, 1))).hits) == 2


@pytest.mark.parametrize("text", [
    '"', '""', '"unclosed phrase', "AND", "OR NOT", "col:x", "*", "**", "(", ")", "[x]",
    "NEAR(a b)", "a AND", "^start", "-", "'", "\\", "json*)", '"json" OR', "{}", ":", "\x00",
])
def test_hostile_strings_never_raise(corpus, text: str) -> None:
    store = corpus[0]
    result = store.search.search(text)
    assert isinstance(result.hits, tuple)


def test_operators_are_searched_as_words(corpus) -> None:
    store, _a, _b, ids = corpus
    assert [h.message_id for h in store.search.search("col:x AND (unbalanced").hits] == [ids[4]]
    assert to_fts_query("a AND b") == '"a" "b"'
    assert to_fts_query("OR a OR b NOT c NOT") == '"a" OR "b" NOT "c"'
    assert to_fts_query("or and not") == '"or" "and" "not"'
    assert to_fts_query('"say ""hi"""') is not None
    assert to_fts_query("*** ---") is None
    # operators alone are the words a person is looking for
    assert to_fts_query("AND") == '"AND"'
    assert to_fts_query("OR NOT") == '"OR" "NOT"'
    assert to_fts_query('NOT "') == '"NOT"'


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_typed_text_gives_results_or_none(corpus, text: str) -> None:
    result = corpus[0].search.search(text)
    assert isinstance(result.hits, tuple)


def test_split_snippet_returns_spans() -> None:
    assert split_snippet("a \x02b\x03 c \x02d\x03") == ("a b c d", ((2, 3), (6, 7)))


def test_other_writers_inserts_edits_and_deletes_are_found(dotnet_store) -> None:
    """Another process writes the way the .NET application does: plain SQL, no app code."""
    script = textwrap.dedent(f"""
        import sqlite3, sys
        con = sqlite3.connect(sys.argv[1], timeout=10)
        con.execute('INSERT INTO "Messages" VALUES (?,?,?,1,?,NULL,?,6,NULL,NULL)',
                    ("external-1", "{SESSION_ID}", "an xylophone appears", "{AGENT_ID}",
                     "2024-01-30 12:00:00.1234567"))
        con.execute('UPDATE "Messages" SET "Content" = ? WHERE "Id" = ?',
                    ("rewritten about quokkas", "{MESSAGE_IDS[0]}"))
        con.execute('DELETE FROM "Messages" WHERE "Id" = ?', ("{MESSAGE_IDS[4]}",))
        con.commit()
    """)
    subprocess.run([sys.executable, "-c", script, str(dotnet_store.path)], check=True)
    search = dotnet_store.search
    assert [h.message_id for h in search.search("xylophone").hits] == ["external-1"]
    assert [h.message_id for h in search.search("quokkas").hits] == [MESSAGE_IDS[0]]
    assert {h.message_id for h in search.search("tokenizer").hits} == {MESSAGE_IDS[1]}
    assert search.search("emoji").hits == ()
    assert search.index_is_consistent() and search.check() == []


def test_vacuum_by_another_program_keeps_the_index_right(dotnet_store) -> None:
    dotnet_store.messages.delete(MESSAGE_IDS[0])
    con = sqlite3.connect(dotnet_store.path)
    con.execute("VACUUM")
    con.close()
    assert {h.message_id for h in dotnet_store.search.search("tokenizer").hits} == {
        MESSAGE_IDS[1]}
    assert dotnet_store.search.check() == []


def test_index_out_of_step_is_rebuilt_by_maintenance(dotnet_store) -> None:
    con = sqlite3.connect(dotnet_store.path)
    con.execute('DROP TRIGGER "desktop_messages_fts_insert"')  # as if written without triggers
    con.execute('INSERT INTO "Messages" VALUES (?,?,?,0,NULL,NULL,?,9,NULL,NULL)',
                ("sneaky", SESSION_ID, "an untracked wombat", "2024-02-01 00:00:00"))
    con.commit()
    con.close()
    assert not dotnet_store.search.index_is_consistent()
    dotnet_store.run_maintenance()
    assert [h.message_id for h in dotnet_store.search.search("wombat").hits] == ["sneaky"]


def test_search_works_on_a_reopened_file(tmp_path) -> None:
    store = open_store(tmp_path / "o.db")
    session = store.sessions.create("s")
    store.sessions.add_message(session.id, "persistent platypus", MessageRole.User)
    store.close()
    again = open_store(tmp_path / "o.db")
    assert len(again.search.search("platypus").hits) == 1
    again.close()


def test_every_match_can_be_paged_through_best_first(dotnet_path) -> None:
    from dotnet_files import SESSION_ID, add_messages

    add_messages(dotnet_path, SESSION_ID, 10_050, text="lighthouse keeper {n}")
    add_messages(dotnet_path, SESSION_ID, 1_226, first_sequence=20_000,
                 text="a lantern and a lighthouse and a lighthouse {n}")
    store = open_store(dotnet_path)
    try:
        store.run_maintenance()
        lantern = store.search.search("lantern")
        assert lantern.total == 1_226 and lantern.total_text == "1,226 matches"
        assert len(lantern.hits) == 50 and lantern.next_page is not None
        seen, result = list(lantern.hits), lantern
        while result.next_page is not None:
            result = store.search.search("lantern", limit=200, after=result.next_page)
            assert result.total is None  # counted once, on the first page
            seen.extend(result.hits)
        assert len({h.message_id for h in seen}) == len(seen) == 1_226
        ranks = [h.rank for h in seen]
        assert ranks == sorted(ranks)  # best first, across every page
        many = store.search.search("lighthouse")
        assert many.total_text == "more than 10,000 matches"
        assert store.search.search("keeper 17").total_text == "1 match"
    finally:
        store.close()


def test_hits_shown_first_get_their_count_and_places_after(corpus) -> None:
    """What a window does: the page without its numbers, then `number()` for them."""
    store, a, _b, ids = corpus
    store.sessions.add_message(a.id, "json again, third in Alpha", MessageRole.User)
    quick = store.search.search("json", numbered=False)
    assert quick.total is None and {h.position for h in quick.hits} == {0}
    numbered = store.search.number(quick)
    whole = store.search.search("json")
    assert numbered == whole and numbered.total == 3
    assert {(ids[0], 1), (ids[1], 2)} <= {(h.message_id, h.position) for h in numbered.hits}
    assert sorted(h.position for h in numbered.hits) == [1, 2, 3]
    assert store.search.number(quick, count=False).total is None
    filtered = SearchFilter(role=MessageRole.User)
    assert store.search.number(store.search.search("json", filtered, numbered=False),
                               filtered).total == 2


def test_entries_of_deleted_messages_never_shorten_a_page(dotnet_path) -> None:
    """An index entry whose key is gone (a message deleted while its session's indexing was
    deferred) is skipped, and the page is still full: the best-ranked entries here are all
    such, more than the twice-a-page the quick ranking looks at."""
    from dotnet_files import SESSION_ID, add_messages
    from orchestrator_desktop.data.fts import KEYS_TABLE

    add_messages(dotnet_path, SESSION_ID, 60, text="lantern lantern lantern gone {n}")
    add_messages(dotnet_path, SESSION_ID, 100, first_sequence=1_000, text="a lantern {n}")
    store = open_store(dotnet_path)
    try:
        store.run_maintenance()
        con = sqlite3.connect(dotnet_path)
        with con:
            gone = {row[0] for row in con.execute(
                'SELECT "Id" FROM "Messages" WHERE "Content" LIKE \'%gone%\'')}
            con.execute(f'DELETE FROM "{KEYS_TABLE}" WHERE "MessageId" IN '
                        '(SELECT "Id" FROM "Messages" WHERE "Content" LIKE \'%gone%\')')
        con.close()
        assert len(gone) == 60
        page = store.search.search("lantern")
        assert len(page.hits) == 50 and not gone & {h.message_id for h in page.hits}
        seen = list(page.hits)
        while page.next_page is not None:
            page = store.search.search("lantern", after=page.next_page)
            seen.extend(page.hits)
        assert len(seen) == len({h.message_id for h in seen}) == 100
        assert not gone & {h.message_id for h in seen}
        assert [h.rank for h in seen] == sorted(h.rank for h in seen)
    finally:
        store.close()


def test_a_search_for_an_operator_word_alone_finds_it(dotnet_path) -> None:
    from dotnet_files import SESSION_ID, add_messages

    [said] = add_messages(dotnet_path, SESSION_ID, 1, text="do NOT merge this or that")
    store = open_store(dotnet_path)
    try:
        store.run_maintenance()
        assert [h.message_id for h in store.search.search("NOT").hits] == [said]
        hit = store.search.search("OR NOT").hits[0]
        assert hit.message_id == said and len(hit.highlights) == 2
    finally:
        store.close()


def test_the_index_check_does_not_call_a_lock_damage(dotnet_path, monkeypatch) -> None:
    """Another program holding the write lock is not a damaged index: the check says the file
    is busy (a DatabaseLockedError), and only SQLite's own report of damage counts as damage."""
    import sqlite3

    import pytest
    from orchestrator_desktop.data import DatabaseLockedError, connection

    monkeypatch.setattr(connection, "BUSY_TIMEOUT_SECONDS", 0.3)
    store = open_store(dotnet_path)
    try:
        store.run_maintenance()
        holder = sqlite3.connect(dotnet_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(DatabaseLockedError):
                store.search.check()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert store.search.check() == []
    finally:
        store.close()
