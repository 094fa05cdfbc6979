"""Editing, deleting or reordering an audit entry breaks the chain at that entry."""
from shared.audit import GENESIS, entry_hash, verify_chain

KEY = b"k" * 32


def chain(n: int) -> list[tuple[str, str, dict]]:
    out, previous = [], GENESIS
    for i in range(n):
        fields = {"actor": "user:a", "action": f"act{i}"}
        digest = entry_hash(KEY, previous, fields)
        out.append((previous, digest, fields))
        previous = digest
    return out


def test_intact_chain_verifies():
    assert verify_chain(KEY, chain(5)) is None


def test_edit_is_found_at_the_edited_entry():
    entries = chain(5)
    prev, digest, fields = entries[2]
    entries[2] = (prev, digest, {**fields, "actor": "user:mallory"})
    assert verify_chain(KEY, entries) == 2


def test_deletion_is_found_where_the_gap_is():
    entries = chain(5)
    del entries[3]
    assert verify_chain(KEY, entries) == 3


def test_a_forger_without_the_key_cannot_rebuild_it():
    entries = chain(3)
    prev, _, fields = entries[2]
    forged = {**fields, "action": "nothing"}
    entries[2] = (prev, entry_hash(b"x" * 32, prev, forged), forged)
    assert verify_chain(KEY, entries) == 2
