"""`tactics --chart FILE.png`: how often each tactic comes up, and where (tactic x episode heat map)."""

from __future__ import annotations

from pathlib import Path

from cxinsight.errors import UsageError


def tactics_chart(counts: dict[str, dict[str, int]], names: dict[str, str], episodes: list[str], target: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # files only; no display needed
    import matplotlib.pyplot as plt
    import numpy as np

    if target.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise UsageError(f"--chart {target}: use a .png, .svg or .pdf file name")
    tactic_ids = sorted(counts, key=lambda t: -sum(counts[t].values()))
    if not tactic_ids:
        raise UsageError("no tactic mentions in the store yet; nothing to chart")
    grid = np.array([[counts[t].get(e, 0) for e in episodes] for t in tactic_ids])
    labels = [names.get(t, t) for t in tactic_ids]
    height = 1.5 + 0.4 * len(tactic_ids)
    fig, (bars, heat) = plt.subplots(1, 2, figsize=(6 + 0.55 * len(episodes), height),
                                     gridspec_kw={"width_ratios": [1, max(1.0, len(episodes) / 4)]})
    totals = grid.sum(axis=1)
    bars.barh(range(len(labels)), totals, color="#3b6ea5")
    bars.set_yticks(range(len(labels)), labels)
    bars.invert_yaxis()
    bars.set_xlabel("mentions")
    bars.set_title("Tactics across the archive")
    for y, value in enumerate(totals):
        bars.text(value, y, f" {value}", va="center", fontsize=8)
    image = heat.imshow(grid, aspect="auto", cmap="Blues")
    heat.set_xticks(range(len(episodes)), episodes, rotation=60, ha="right", fontsize=7)
    heat.set_yticks(range(len(labels)), [""] * len(labels))
    heat.set_title("Mentions per episode")
    for y in range(grid.shape[0]):
        for x in range(grid.shape[1]):
            if grid[y, x]:
                heat.text(x, y, str(grid[y, x]), ha="center", va="center", fontsize=7,
                          color="white" if grid[y, x] > grid.max() / 2 else "black")
    fig.colorbar(image, ax=heat, fraction=0.03)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=120)
    plt.close(fig)
    return target
