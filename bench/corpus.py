"""Write shared/tools/gen_corpus.py's corpus, identical byte for byte, in linear time.

gen_corpus.py draws each paper's lead author with `rng.choices(people, weights)`, which rebuilds the
cumulative weights of every person on every call: quadratic, hours at 1,000,000 papers. Random.choices
with `cum_weights` computed once draws exactly the same values (it is what choices does inside), so
this runs the generator unchanged with a Random whose choices() caches them.

    python bench/corpus.py --format jsonl --papers 1000000 --seed 1 > bench/out/corpus-1000000-seed1.jsonl
"""

import importlib.util
import itertools
import random
import sys
from pathlib import Path

GEN_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "gen_corpus.py"


class CachedWeightsRandom(random.Random):
    _weights = None
    _cum_weights = None

    def choices(self, population, weights=None, *, cum_weights=None, k=1):
        if weights is not None and cum_weights is None:
            if weights is not self._weights:
                self._weights, self._cum_weights = weights, list(itertools.accumulate(weights))
            weights, cum_weights = None, self._cum_weights
        return super().choices(population, weights, cum_weights=cum_weights, k=k)


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_corpus", GEN_CORPUS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The generator only uses random.Random(seed); give it the caching subclass.
    module.random = type("random", (), {"Random": CachedWeightsRandom})
    return module


if __name__ == "__main__":
    sys.argv[0] = str(GEN_CORPUS)
    load_generator().main()
