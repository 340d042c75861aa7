"""`poflow deploy --pool NAME`: poflow's deployments in a Prefect work pool, for workers on
other hosts (issue 19, item 3; docs/deploy.md).

`poflow serve` runs every deployment in its own process. In production the same deployments
(the same flows, schedules and descriptions: `all_deployments()`) are registered in a work pool
of type process instead, and `prefect worker start --pool NAME` on each host starts their runs.
Each deployment's entrypoint is the flow's module path (`poflow.flows.dispatcher.dispatcher`),
so a worker on any host where poflow is installed finds it; nothing is copied.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments.runner import EntrypointType
from prefect.exceptions import ObjectAlreadyExists

from poflow.flows.serve import all_deployments

__all__ = ["deploy_to_pool", "module_entrypoint"]

_FLOWS = Path(__file__).resolve().parent


def module_entrypoint(entrypoint: str) -> str:
    """`flows/dispatcher.py:dispatcher` (a file path from wherever the deployment was built)
    as the module path a worker imports: `poflow.flows.dispatcher.dispatcher`."""
    path, _, function = entrypoint.rpartition(":")
    file = (Path.cwd() / path).resolve()
    if file.parent != _FLOWS:
        raise ValueError(f"not one of poflow's flows: {entrypoint}")
    return f"poflow.flows.{file.stem}.{function}"


def deploy_to_pool(pool: str) -> list[tuple[str, Any]]:
    """Create work pool `pool` (type process) when missing and register every deployment of
    poflow in it; returns (flow/deployment name, deployment id) per deployment."""
    # A pool made before keeps its settings.
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
    applied = []
    for deployment in all_deployments():
        deployment.entrypoint = module_entrypoint(str(deployment.entrypoint))
        deployment._entrypoint_type = EntrypointType.MODULE_PATH  # no public setter
        deployment_id = deployment.apply(work_pool_name=pool)
        applied.append((f"{deployment.flow_name}/{deployment.name}", deployment_id))
    return applied
