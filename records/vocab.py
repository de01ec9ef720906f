"""Closed vocabularies of the record that both the models and the clinical checks use."""

from __future__ import annotations

from django.db import models


class ObservationKind(models.TextChoices):
    BLOOD_PRESSURE = "blood_pressure", "Blood pressure"
    PULSE = "pulse", "Pulse"
    WEIGHT = "weight", "Weight"
    HEIGHT = "height", "Height"
    TEMPERATURE = "temperature", "Temperature"
    SPO2 = "spo2", "Oxygen saturation (SpO2)"


UNITS = {
    ObservationKind.BLOOD_PRESSURE: "mmHg",
    ObservationKind.PULSE: "beats/min",
    ObservationKind.WEIGHT: "kg",
    ObservationKind.HEIGHT: "cm",
    ObservationKind.TEMPERATURE: "°C",
    ObservationKind.SPO2: "%",
}
