"""``licvisit evidence`` as a library call: read, build the pack for one zone, write the folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from licvisit.config import Config
from licvisit.core.evidence.pack import EvidencePack
from licvisit.core.evidence.params import EvidenceParams, Month
from licvisit.errors import ConfigError


def evidence_to_folder(
    config: Config,
    zone_name: str,
    out_dir: Path,
    *,
    period: tuple[str, str],
    compare: tuple[str, str] | None = None,
    intervention: str | None = None,
    anonymise: bool = False,
    pdf: bool = False,
    read_inputs: Callable[..., Any],
    progress: Callable[[str], None] = lambda _msg: None,
) -> tuple[Any, list[Path]]:
    """Build the evidence pack for ``zone_name`` and write it into ``out_dir`` (all-or-nothing).

    Steps: parameters from ``[evidence]``, ``[risk]`` and ``[harm]`` -> check the
    street file of ``[maps] streets`` (before the work) -> read calls, premises,
    zones and other evidence -> build the pack (calls linked with the ranking's
    rules against every premises) -> write.  Returns the pack and the files
    written (report.html first).
    """
    from licvisit.app.pages import street_lines, write_evidence
    from licvisit.app.params import evidence_params, map_params, risk_params
    from licvisit.io.write import OUTPUT_FILES, staged_folder

    rp = risk_params(config)
    params = evidence_params(config, rp, anonymise=True if anonymise else None)
    streets = map_params(config).streets  # [maps] streets: drawn under the pack's maps
    if streets:
        street_lines(streets)  # a bad street file fails now, not after the work
    progress("reading inputs")
    inputs = read_inputs(
        config, ("calls", "premises", "zones", "other_evidence"), required=("zones", "calls", "premises")
    )
    progress(f"building the evidence pack for {zone_name}")
    names = {k: Path(v).name for k, v in config.inputs.items() if k in ("calls", "premises", "zones")}
    pack = evidence_for_zone(
        inputs,
        zone_name,
        period,
        compare,
        intervention,
        params,
        risk_params=rp,
        harm_overrides=config.section("harm"),
        source_names=names,
    )
    progress(f"writing the report to {out_dir}")
    with staged_folder(out_dir, OUTPUT_FILES["evidence"], "licvisit evidence") as folder:
        files = write_evidence(pack, folder, pdf=pdf, streets=streets)
        written = [out_dir / p.relative_to(folder) for p in files]
    progress("done")
    return pack, written


def evidence_for_zone(
    inputs: Any,
    zone_name: str,
    period: tuple[Month, Month] | None = None,
    compare: tuple[Month, Month] | None = None,
    intervention: Month | None = None,
    params: EvidenceParams | None = None,
    *,
    risk_params: Any = None,
    harm_overrides: dict[str, Any] | None = None,
    source_names: dict[str, str] | None = None,
    links: Any = None,
) -> EvidencePack:
    """Build the evidence pack for the zone called ``zone_name`` from loaded ``Inputs``.

    The zone is picked by :func:`licvisit.io.zones.select_zone`; see
    :func:`licvisit.core.evidence.build_evidence` for the parameters.
    """
    if inputs.calls is None or inputs.premises is None:
        raise ConfigError("The evidence pack needs calls and premises. Fix: pass `calls` and `premises`.")
    from licvisit.core.evidence import build_evidence, other_zones_of
    from licvisit.io.zones import select_zone

    zone = select_zone(inputs.zones, zone_name)
    return build_evidence(
        inputs.calls,
        inputs.premises,
        zone,
        params,
        period,
        compare,
        intervention,
        risk_params=risk_params,
        harm_overrides=harm_overrides,
        source_names=source_names,
        other_zones=other_zones_of(inputs.zones, zone),
        other_evidence=getattr(inputs, "other_evidence", None),
        links=links,
    )
