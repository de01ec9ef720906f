"""Open Referral UK (ORUK) JSON: the subset of the ``service`` object Dovetail reads/writes."""
