"""A throwaway record kind, "gadgets" of a project, that lives only in the tests: the worked
example of docs/architecture.md "Adding a record kind". Everything the kind is sits in this
package; `test_throwaway_kind.py` registers it (the one line `tracker/kinds.py` would hold)."""
