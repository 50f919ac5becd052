"""How every test script ends: its FAIL lines or its ok line, and its status."""


def verdict(errors, ok):
    """Every error a FAIL line, else the ok line; the test's exit status."""
    for e in errors:
        print("FAIL:", e)
    if not errors:
        print("ok:", ok)
    return 1 if errors else 0
