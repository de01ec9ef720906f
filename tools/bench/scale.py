"""The size of the benchmark data set: one set of parameters, checked before a build."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    practices: int = 50
    sites: int = 100
    clinicians: int = 600
    patients: int = 500_000
    weeks: int = 6
    receptionists: int = 4
    hub_staff: int = 8
    prebooked: float = 0.3
    online_patients: int = 400
    seed: int = 8

    def problems(self) -> list[str]:
        found = []
        if self.practices < 2:
            found.append("--practices must be at least 2 (the federation hub books across).")
        if self.sites < self.practices:
            found.append("--sites must be at least --practices (every practice has a site).")
        if self.clinicians < self.practices:
            found.append("--clinicians must be at least --practices.")
        if self.clinicians > 10_000 or self.practices > 10_000:
            found.append("at most 10,000 clinicians and practices (registration numbers).")
        if not self.practices <= self.patients <= 900_000:
            found.append("--patients must be between --practices and 900,000 (999 range).")
        if not 1 <= self.weeks <= 52:
            found.append("--weeks must be between 1 and 52.")
        if self.receptionists < 1:
            found.append("--receptionists (per practice) must be at least 1.")
        if not 0 <= self.prebooked < 1:
            found.append("--prebooked is a share of slots, from 0 to below 1.")
        if not 0 <= self.online_patients <= self.patients // self.practices // 2:
            found.append(
                "--online-patients (per practice) must be at most half of a practice's list."
            )
        return found
