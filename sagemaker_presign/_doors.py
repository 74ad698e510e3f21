"""Every door, by its word: what the CLI, the async client and the web app iterate over.

Adding a door is a module of its own (its `Door` record, checks and result) and one line here.
"""

from __future__ import annotations

from ._door import Door
from ._hub import HUB_CONTENT
from ._mlflow import MLFLOW, MLFLOW_APP
from ._notebook import NOTEBOOK
from ._partner_app import PARTNER_APP
from ._studio import STUDIO

DOORS: dict[str, Door] = {
    door.name: door for door in (NOTEBOOK, STUDIO, MLFLOW, MLFLOW_APP, PARTNER_APP, HUB_CONTENT)
}
