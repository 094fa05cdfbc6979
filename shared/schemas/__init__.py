"""Pydantic models of what crosses a boundary: the record, the incident, vital signs."""
