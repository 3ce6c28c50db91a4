"""A training run a student sets up on the Train page: which data, which family of network,
which hyperparameters. No TensorFlow here (the page imports it only to train).

:class:`RunSettings` turns into a :class:`registry.ModelSpec` that is *not* registered, so a
student's run trains through exactly the code the shipped models use (``models.training.loop``)
and never touches ``pretrained/``. Which tasks and families it offers comes from the catalog
(``Task.train_families``, ``Task.train_sizes``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from data import catalog
from models import registry


def families(dataset: str) -> dict:
    """The Train page's families for a task: name -> (builder, fixed builder arguments)."""
    return catalog.get(dataset).train_families

# The limits the page's widgets offer; validate() enforces them for any caller.
LIMITS = {
    "epochs": (1, 50), "batch_size": (8, 1024), "learning_rate": (1e-5, 0.1), "units": (1, 512),
    "layers": (1, 3), "dropout": (0.0, 0.9), "sequence_length": (10, 1000), "vocab_size": (500, 20_000),
    "train_size": (100, 55_000), "convergence_threshold": (0.0, 1.0),
}


@dataclass(frozen=True)
class RunSettings:
    dataset: str = catalog.MNIST
    family: str = "CNN"
    epochs: int = 3
    batch_size: int = 64
    learning_rate: float = 1e-3
    units: int = 128  # CNN: the dense layer; recurrent: the first recurrent layer
    layers: int = 1  # CNN: convolution blocks; recurrent: stacked recurrent layers
    shrink: bool = False  # each next recurrent layer half as wide (architectures III and IV)
    dropout: float = 0.0
    sequence_length: int = 200  # reviews: words read (the last ones)
    vocab_size: int = 10_000  # reviews: words known
    train_size: int = 10_000  # training examples used (a quick classroom run uses a slice)
    convergence_threshold: float = 1e-4  # stop when |Δ mean epoch loss| < this; 0 = off
    seed: int = 42

    def validate(self) -> RunSettings:
        """The settings, or ValueError with a sentence a student understands."""
        offered = [task.key for task in catalog.trainable()]
        if self.dataset not in offered:
            raise ValueError(f"unknown dataset {self.dataset!r}; choose one of {', '.join(offered)}")
        if self.family not in self.task.train_families:
            raise ValueError(f"{self.task.title} has no {self.family!r} model; "
                             f"choose one of {', '.join(self.task.train_families)}")
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if name == "train_size":  # a language model counts characters, not examples
                high = max(high, *self.task.train_sizes)
            if not low <= value <= high:
                raise ValueError(f"{name.replace('_', ' ')} must be between {low:g} and {high:g} (got {value:g})")
        if self.family == "CNN" and self.layers > 3:
            raise ValueError("a CNN on 28×28 digits has room for at most 3 convolution blocks")
        return self

    @property
    def task(self) -> catalog.Task:
        return catalog.get(self.dataset)

    @property
    def reads_text(self) -> bool:
        return self.task.input_kind == "text"

    @property
    def layer_units(self) -> tuple[int, ...]:
        if self.shrink:
            return tuple(max(1, self.units // 2 ** i) for i in range(self.layers))
        return (self.units,) * self.layers

    @property
    def photo_filters(self) -> tuple[int, ...]:
        """A photo CNN's filters per block: the first block's, doubled each next block."""
        return tuple(self.units * 2 ** i for i in range(self.layers))

    @property
    def train_limit(self) -> int | None:
        """None when the run uses the whole training split."""
        return None if self.train_size >= self.task.train_size else self.train_size

    def describe(self) -> str:
        """One line a teacher can read out: the architecture and the training settings."""
        if self.family == "CNN" and self.task.input_kind == "photo":
            shape = " > ".join(f"Conv({f})+Pool" for f in self.photo_filters) + " > Flatten > Dense(10)"
        elif self.task.task_type == "language_model":
            shape = "characters > " + " > ".join(f"LSTM({n})" for n in self.layer_units) + " > next character"
        elif self.family == "CNN":
            filters = (32, 64, 128)[: self.layers]
            shape = " > ".join(f"Conv({f})+Pool" for f in filters) + f" > Dense({self.units})"
        else:
            cell = self.family
            sizes = " > ".join(f"{cell}({n})" for n in self.layer_units)
            shape = (f"Embedding({self.vocab_size},64) > " if self.reads_text else "rows > ") + sizes
        extras = f", dropout {self.dropout:g}" if self.dropout else ""
        text = f", last {self.sequence_length} words" if self.reads_text else ""
        epochs = f"{self.epochs} epoch" + ("s" if self.epochs != 1 else "")
        if self.task.task_type == "language_model":
            return (f"{shape}{extras}; {epochs} of {WRITER_STEPS} steps, batch {self.batch_size}, learning rate "
                    f"{self.learning_rate:g}, {min(self.train_size, self.task.train_size):,} training characters")
        return (f"{shape}{extras}{text}; {epochs}, batch {self.batch_size}, "
                f"learning rate {self.learning_rate:g}, {min(self.train_size, self.task.train_size):,} "
                f"training examples")

    def to_spec(self, key: str, title: str | None = None) -> registry.ModelSpec:
        """The run as an (unregistered) model spec, for ``training.train``."""
        self.validate()
        builder, fixed = self.task.train_families[self.family]
        args = dict(fixed)
        portable, recipe_settings = None, {}
        if self.task.task_type == "language_model":  # NumPy windows, models.training.portable
            args.update(units=self.layer_units, dropout=self.dropout)
            portable, recipe_settings = "writer", {"steps_per_epoch": WRITER_STEPS, "window": 100,
                                                  "warmup_steps": 10}
        elif self.family == "CNN" and self.task.input_kind == "photo":
            args.update(filters=self.photo_filters, dropout=self.dropout)
        elif self.family == "CNN":
            dropout = (self.dropout, self.dropout)
            args.update(filters=(32, 64, 128)[: self.layers], dense_units=self.units, dropout=dropout)
        elif self.reads_text:
            args.update(units=self.units, embed_dim=64, stacked=self.layers, dropout=self.dropout,
                        vocab_size=self.vocab_size, sequence_length=self.sequence_length)
        else:
            args.update(layer_units=self.layer_units, dropout=self.dropout)
        if self.task.input_kind == "image" and self.task.input_shape != catalog.get(catalog.MNIST).input_shape:
            args.update(input_shape=self.task.input_shape, num_classes=self.task.num_classes)
        return registry.ModelSpec(
            key=key, title=title or f"{self.family} (your run)", dataset=self.dataset, builder=builder,
            builder_args=args, summary=self.describe(), target_accuracy=0.0,
            task=self.task.task_type, epochs=self.epochs,
            batch_size=self.batch_size, learning_rate=self.learning_rate,
            clipnorm=1.0 if self.family == "SimpleRNN" else None,
            convergence_threshold=self.convergence_threshold or None, seed=self.seed, group="runs",
            recipe=f"Trained on the Train page: {self.describe()}.",
            portable_recipe=portable, recipe_settings=recipe_settings, trainer="portable" if portable else None,
        )

    def as_dict(self) -> dict:
        return asdict(self)

    def run(self, key: str, title: str | None, job) -> tuple[dict, dict | None, bytes | None]:
        """Train it (in the worker's process); ``job`` receives progress and says when to stop."""
        from models import store
        from models.training import loop, worker

        spec = self.to_spec(key, title)
        job._event("stage", text=f"Loading {self.task.title}")
        data = worker.cached_dataset(self.dataset, self.train_limit)
        job._event("stage", text="Building the model; TensorFlow prepares the first batch")
        callbacks = [worker.JobProgress(job)]
        if self.task.task_type == "language_model":
            from models.training import portable

            callbacks.append(portable.SampleEachEpoch(
                lambda epoch, sentiment, text: job._event("sample", epoch=epoch, sentiment=sentiment, text=text)))
        result = loop.train(spec, dataset=data, callbacks=callbacks)
        result.metadata["run_settings"] = self.as_dict()  # what reproduces it (no CLI command does)
        return result.metadata, result.predictions, store.model_bytes(result.model)


@dataclass(frozen=True)
class WaveRun:
    """The Gates page's small LSTM, trained on a wave the student set up (in the worker, like a
    Train-page run, so a click neither kills it nor blocks the page)."""

    signal: object  # data.sequences.Signal: the wave it learns from
    units: int = 12
    layers: int = 1
    epochs: int = 40
    convergence_threshold: float = 1e-4  # 0: off
    family: str = "LSTM"

    @property
    def layer_units(self) -> tuple[int, ...]:
        return (self.units,) * self.layers

    def validate(self) -> WaveRun:
        if not (1 <= self.units <= 64 and 1 <= self.layers <= 3 and 1 <= self.epochs <= 200):
            raise ValueError("units 1-64, 1-3 layers and 1-200 epochs")
        return self

    def describe(self) -> str:
        return " > ".join(f"LSTM({n})" for n in self.layer_units) + f" on {self.signal.task}, {self.epochs} epochs"

    def as_dict(self) -> dict:
        return {**asdict(self), "signal": asdict(self.signal)}

    def run(self, key: str, title: str | None, job) -> tuple[dict, dict | None, bytes | None]:
        from data import sequences
        from models import store
        from models.training import loop, worker

        template = next((s for s in registry.MODELS.values() if s.dataset == self.signal.task),
                        registry.get("sine_lstm"))
        result = loop.train(template, epochs=self.epochs, dataset=sequences.make_windows(self.signal),
                            convergence_threshold=self.convergence_threshold,
                            callbacks=[worker.JobProgress(job)], build_overrides={"layer_units": self.layer_units})
        result.metadata["run_settings"] = self.as_dict()
        return result.metadata, None, store.model_bytes(result.model)


@dataclass(frozen=True)
class Evaluation:
    """Shipped models evaluated now on their full test set (the Compare page's "recompute"), in
    the worker: the server's threads never evaluate whole test sets."""

    keys: tuple[str, ...]
    family: str = "evaluation"
    on: str | None = None  # a catalog task that measures these models (its test set); None: their own

    def validate(self) -> Evaluation:
        for key in self.keys:
            registry.get(key)
        if self.on is not None:
            catalog.get(self.on)
        return self

    def describe(self) -> str:
        return f"evaluate {', '.join(self.keys)} on the full test set" + (f" of {self.on}" if self.on else "")

    def as_dict(self) -> dict:
        return {"keys": list(self.keys), "on": self.on}

    def run(self, key: str, title: str | None, job) -> tuple[dict, dict | None, bytes | None]:
        from data import catalog
        from data.sources import DataUnavailable
        from models import store
        from models.training import loop

        job._event("started", steps_per_epoch=len(self.keys), epochs=1)
        evaluations, tests = {}, {}
        for i, model_key in enumerate(self.keys):
            if job.stop_requested:
                break
            job._event("batch", epoch=1, batch=i + 1, progress=i / len(self.keys), model=model_key)
            spec = registry.get(model_key)
            test_task = self.on or spec.dataset
            try:
                if test_task not in tests:  # the test set as the models take it (scaled, like training)
                    tests[test_task] = loop.load_dataset(test_task)
                data = tests[test_task]
                result = loop.evaluate(store.load_pretrained(model_key), data.x_test, data.y_test, spec.task,
                                       catalog.get(test_task).num_classes)
            except (DataUnavailable, store.ModelUnavailable, OSError) as error:
                evaluations[model_key] = {"error": str(error)}
                continue
            result.pop("predictions", None)
            evaluations[model_key] = result
        return {"evaluations": evaluations}, None, None


WRITER_STEPS = 50  # a Train-page language model's steps per epoch (batches of 100-character windows)

# One click reproduces a course recipe (on a slice, so it finishes during a lesson).
PRESETS: dict[str, RunSettings] = {
    "Keras MNIST convnet: CNN, 5 epochs, batch 64": RunSettings(
        dataset=catalog.MNIST, family="CNN", epochs=5, batch_size=64, units=128, layers=2, dropout=0.25,
        train_size=55_000),
    "Keras LSTM on MNIST rows: LSTM(50), 3 epochs": RunSettings(
        dataset=catalog.MNIST, family="LSTM", epochs=3, batch_size=64, units=50, layers=1, train_size=55_000),
    "RNN vs GRU: SimpleRNN(128), 3 epochs": RunSettings(
        dataset=catalog.MNIST, family="SimpleRNN", epochs=3, batch_size=64, units=128, train_size=55_000),
    "RNN vs GRU: GRU(128), 3 epochs": RunSettings(
        dataset=catalog.MNIST, family="GRU", epochs=3, batch_size=64, units=128, train_size=55_000),
    "Architecture IV: LSTM 32 > dropout 0.2 > 16, until converged": RunSettings(
        dataset=catalog.MNIST, family="LSTM", epochs=30, batch_size=128, units=32, layers=2, shrink=True,
        dropout=0.2, train_size=55_000),
    "Quick class run: CNN, 1 epoch, 10,000 digits": RunSettings(
        dataset=catalog.MNIST, family="CNN", epochs=1, batch_size=64, units=128, layers=2, dropout=0.25,
        train_size=10_000),
    "Keras LSTM on IMDB: LSTM(64), 2 epochs, 5,000 reviews": RunSettings(
        dataset=catalog.IMDB, family="LSTM", epochs=2, batch_size=64, units=64, sequence_length=100,
        train_size=5_000),
    "Keras CIFAR-10 lab: CNN 32 > 64, dropout 0.5, 20 epochs, batch 128": RunSettings(
        dataset=catalog.CIFAR10, family="CNN", epochs=20, batch_size=128, units=32, layers=2, dropout=0.5,
        train_size=45_000, convergence_threshold=0.0),
    "Quick photo run: lab CNN, 2 epochs, 5,000 photos": RunSettings(
        dataset=catalog.CIFAR10, family="CNN", epochs=2, batch_size=128, units=32, layers=2, dropout=0.5,
        train_size=5_000, convergence_threshold=0.0),
    "Quick writing run: LSTM(128), 4 short epochs, a sample after each": RunSettings(
        dataset=catalog.IMDB_CHARACTERS, family="Character LSTM", epochs=4, batch_size=64, units=128, layers=1,
        learning_rate=3e-3, train_size=500_000, convergence_threshold=0.0),
}
DEFAULT_PRESET = "Quick class run: CNN, 1 epoch, 10,000 digits"


def with_changes(settings: RunSettings, **changes) -> RunSettings:
    return replace(settings, **changes)
