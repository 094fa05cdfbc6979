"""Keys, grants and hospital assertions: every token is ES256, typed, audience-bound and short."""
from shared.tokens.keys import KeyStore, thumbprint
from shared.tokens.grants import GrantClaims, GrantError, issue_grant, verify_grant
from shared.tokens.assertions import AssertionError_, make_assertion, verify_assertion
from shared.tokens.keyring import KeyRing
from shared.tokens.proofs import ProofError, make_proof, verify_proof

__all__ = ["KeyStore", "thumbprint", "GrantClaims", "GrantError", "issue_grant", "verify_grant",
           "AssertionError_", "make_assertion", "verify_assertion", "KeyRing", "ProofError", "make_proof",
           "verify_proof"]
