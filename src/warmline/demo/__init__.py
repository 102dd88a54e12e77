"""The demo store: Hearthwell, a home, kitchen and outdoor-apparel brand, generated
deterministically (same date, same store) for `make demo`, the scenarios and the bench."""
