"""Start the whole system on one machine: the hub and hospital apps as real processes."""
