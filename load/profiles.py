"""Load profiles derived from national figures.

- About 7.6 million ambulance dispatches a year and about 45 minutes from the call to handing
  the patient to a doctor (2023: 7,638,558 dispatches, 45.6 minutes on average; Fire and Disaster
  Management Agency, 消防白書 令和6年版 / 救急・救助の現況):
  7,600,000 × 45 min / (365 × 24 × 60 min) ≈ 650 incidents under way on average.
- At peak: 2,000 or more incidents under way, the figure the system is sized for (about three
  times the average).
- Each incident sends one update (vitals, ETA, notes) every 15–30 s while on the road: at
  one per 30 s, 2,000 incidents make 2,000 / 30 ≈ 67 updates/s; the stress profile is ten
  times that rate over the same connections (≈ 667 updates/s).
- About 4,000 emergency-designated hospitals, each ER running one or more dashboards.

On one 2-core machine the whole national ER side cannot run: every hospital runs its own
hospital app at the hospital. The benchmark therefore runs a few real hospital apps with a
few dashboards each (each update fans out to the dashboards of its one accepting hospital, as
in reality), and the hub carries the national incident count and update rate. Connection
counts on the hub side are reported with each result."""
from __future__ import annotations

from dataclasses import dataclass

DISPATCHES_PER_YEAR = 7_600_000
MINUTES_PER_CASE = 45
AVERAGE_INCIDENTS = round(DISPATCHES_PER_YEAR * MINUTES_PER_CASE / (365 * 24 * 60))  # ≈ 650
PEAK_INCIDENTS = 2_000
UPDATE_INTERVAL_S = 30


@dataclass(frozen=True)
class Profile:
    name: str
    incidents: int
    update_interval_s: float
    hospitals: int = 2
    dashboards_per_hospital: int = 4
    duration_s: float = 60

    @property
    def update_rate(self) -> float:
        return self.incidents / self.update_interval_s


PROFILES = {
    "smoke": Profile("smoke", incidents=20, update_interval_s=2, duration_s=10),
    # The peak's update rate on fewer incidents: quick to set up, for profiling and sweeps.
    "peak-rate": Profile("peak-rate", incidents=400, update_interval_s=6, duration_s=30),
    "average": Profile("average", incidents=AVERAGE_INCIDENTS, update_interval_s=UPDATE_INTERVAL_S),
    "peak": Profile("peak", incidents=PEAK_INCIDENTS, update_interval_s=UPDATE_INTERVAL_S),
    "peak10x": Profile("peak10x", incidents=PEAK_INCIDENTS, update_interval_s=UPDATE_INTERVAL_S / 10),
}
