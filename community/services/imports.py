"""Load an Open Referral UK JSON file into a locality's directory: all of it, or nothing.

The whole file is checked first (JSON syntax, the JSON Schema of the supported subset, then
Dovetail's own checks); any problem refuses the file with the line of each problem. Only a
clean file is written, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from jsonschema import Draft7Validator, FormatChecker

from common.errors import PermissionRefused, ServiceError
from community.models import Resource
from community.oruk import schema
from community.oruk.lines import JSONSyntaxError, Path, parse_with_lines
from community.oruk.mapping import service_to_fields
from community.services.directory import stale_cutoff
from policy.actor import Actor
from policy.community import may_import_directory

# Bounds (issue 14): a 2.4 MB file of tiny broken entries cost 16 s of CPU and a 79 MB reply
# listing every problem. A locality's directory is a few hundred services; a file is checked
# up to MAX_PROBLEMS problems and then refused, and the reply names at most that many.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_SERVICES = 2000
MAX_PROBLEMS = 50
_validator = Draft7Validator(schema.SERVICE, format_checker=FormatChecker())


@dataclass(frozen=True)
class ImportProblem:
    line: int
    path: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "path": self.path, "message": self.message}


class ImportRefused(ServiceError):
    """The file was not loaded; ``problems`` says where and why (at most MAX_PROBLEMS)."""

    code = "import_refused"

    def __init__(self, problems: list[ImportProblem], *, more: bool = False) -> None:
        first = problems[0]
        count = len(problems)
        counted = f"{count}{' or more' if more else ''} problem{'s' if count != 1 else ''}"
        super().__init__(
            f"The file was not imported: {counted}, the first on line {first.line}: "
            f"{first.message}"
        )
        self.problems = problems[:MAX_PROBLEMS]
        self.more = more


class _TooManyProblems(Exception):
    pass


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    external_ids: list[str] = field(default_factory=list)


def _pointer(path: Path) -> str:
    return "/" + "/".join(str(p) for p in path) if path else "/"


def directory_check_file(text: str | bytes) -> tuple[list[tuple[Path, dict[str, Any]]], list[
        ImportProblem]]:
    """Parse and check a file without writing; return the services and every problem."""
    if isinstance(text, bytes):
        if len(text) > MAX_IMPORT_BYTES:
            raise ImportRefused([ImportProblem(
                1, "/", f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB"
            )])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused([ImportProblem(1, "/", "the file is not UTF-8 text")]) from None
    try:
        located = parse_with_lines(text)
    except JSONSyntaxError as exc:
        raise ImportRefused([ImportProblem(exc.line, "", f"not valid JSON: {exc.message}")]) \
            from None
    data = located.value
    base: Path
    if isinstance(data, dict) and isinstance(data.get("content"), list):
        items, base = data["content"], ("content",)
    elif isinstance(data, list):
        items, base = data, ()
    else:
        raise ImportRefused([ImportProblem(
            1, "/", "expected a list of ORUK services, or an ORUK page with them in 'content'"
        )])
    if len(items) > MAX_IMPORT_SERVICES:
        raise ImportRefused([ImportProblem(
            located.line_of(base), _pointer(base),
            f"the file has {len(items)} services: import at most {MAX_IMPORT_SERVICES} at once",
        )])
    problems: list[ImportProblem] = []
    services: list[tuple[Path, dict[str, Any]]] = []
    seen: dict[str, int] = {}

    def add(path: Path, message: str) -> None:
        problems.append(ImportProblem(located.line_of(path), _pointer(path), message))
        if len(problems) >= MAX_PROBLEMS:
            raise _TooManyProblems

    try:
        _check_services(items, base, located, add, services, seen)
    except _TooManyProblems:
        raise ImportRefused(sorted(problems, key=lambda p: p.line), more=True) from None
    if not items:
        add(base, "the file has no services in it")
    problems.sort(key=lambda p: p.line)
    return services, problems


def _check_services(
    items: list[Any],
    base: Path,
    located: Any,
    add: Any,
    services: list[tuple[Path, dict[str, Any]]],
    seen: dict[str, int],
) -> None:
    for index, service in enumerate(items):
        path: Path = (*base, index)
        errors = sorted(_validator.iter_errors(service), key=lambda e: list(e.absolute_path))
        for error in errors:
            add((*path, *error.absolute_path), error.message)
        if errors:
            continue
        sid = service["id"]
        if sid in seen:
            add((*path, "id"), f"the service id {sid!r} is also used on line {seen[sid]}")
            continue
        seen[sid] = located.line_of((*path, "id"))
        fields, own = service_to_fields(service, path)
        for problem in own:
            add(problem.path, problem.message)
        if not own:
            for name, messages in _model_errors(fields).items():
                add((*path, *_FIELD_PATHS.get(name, ())), f"{name}: {' '.join(messages)}")
        services.append((path, service))


_FIELD_PATHS: dict[str, Path] = {
    "name": ("name",), "description": ("description",), "website": ("url",),
    "email": ("email",), "cost": ("fees",), "organisation_name": ("organization", "name"),
    "area": ("service_areas", 0, "service_area"),
    "address_line1": ("service_at_locations", 0, "location", "physical_addresses", 0,
                      "address_1"),
    "town": ("service_at_locations", 0, "location", "physical_addresses", 0, "city"),
}


def _model_errors(fields: dict[str, Any]) -> dict[str, list[str]]:
    """The model's own field validation (lengths, URL, email), run before anything is saved."""
    try:
        Resource(**fields).clean_fields(exclude=["locality", "curator"])
    except ValidationError as exc:
        return {name: [str(m) for e in errs for m in e.messages] for name, errs in
                exc.error_dict.items()}
    return {}


def directory_import(*, actor: Actor, locality_id: int, text: str | bytes) -> ImportResult:
    """Import every service in the file, or none. New entries are curated by the importer;
    entries already in the directory (same service id) keep their curator."""
    if not may_import_directory(actor, locality_id=locality_id):
        raise PermissionRefused(
            "Only a practice manager or a curator of this locality's directory can import."
        )
    services, problems = directory_check_file(text)
    if problems:
        raise ImportRefused(problems)
    result = ImportResult()
    today = timezone.localdate()
    cutoff = stale_cutoff(today)
    with transaction.atomic():
        existing = {
            r.external_id: r
            for r in Resource.objects.select_for_update().filter(
                locality_id=locality_id, external_id__in=[s["id"] for _p, s in services]
            )
        }
        for path, service in services:
            fields, _ = service_to_fields(service, path)
            fields["stale_since"] = today if fields["last_checked"] < cutoff else None
            resource = existing.get(fields["external_id"])
            if resource is None:
                resource = Resource(locality_id=locality_id, curator=actor.user, **fields)
                result.created += 1
            else:
                if resource.stale_since is not None and fields["stale_since"] is not None:
                    fields["stale_since"] = resource.stale_since
                for name, value in fields.items():
                    setattr(resource, name, value)
                result.updated += 1
            resource.full_clean()
            resource.save()
            result.external_ids.append(resource.external_id)
    return result
