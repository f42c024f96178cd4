"""The README's library examples run as written (use 3: `import gru_lib` in one's own code)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2, "the README should show the NumPy and the torch examples"
    namespace: dict = {}
    for block in blocks:   # later blocks build on earlier ones, as a reader would run them
        exec(compile("\n".join(line[3:] if line.startswith("   ") else line
                               for line in block.splitlines()), str(README), "exec"), namespace)
    assert namespace["hs"].shape == (5, 2, 4) and tuple(namespace["output"].shape) == (5, 2, 4)
