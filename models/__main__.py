"""The explorer's command line: ``python -m models list|train|evaluate|predict|generate``.

    python -m models list
    python -m models train mnist_cnn --epochs 15 --batch-size 64 --seed 42
    python -m models evaluate mnist_cnn --json
    python -m models evaluate imdb_lstm --on sst --negation --write-predictions
    python -m models predict mnist_cnn digit.png other.jpg --json
    python -m models predict cifar_cnn photo.jpg --json
    python -m models predict imdb_lstm --text "Not good at all." --json
    python -m models predict pen_lstm --strokes four.json --json
    python -m models generate char_lstm --prompt "This movie was" --sentiment negative --seed 1

Errors (an unknown model, a missing dataset, an unreadable image) are one clear line on
stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from data import catalog
from models import registry

EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3
# Sources of more handwriting for the digit image models (data.writers): train --extra-writers,
# evaluate --test-set.
WRITER_SOURCES = [key for key, task in catalog.TASKS.items() if task.writer_images is not None]
NO_EXTRA_WRITERS = "none"


def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _shown(name: str) -> str:
    """A file name as given, or quoted when it holds control characters (a "\r" would garble the line)."""
    return name if name.isprintable() else repr(name)


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def cmd_list(args) -> int:
    rows = []
    for spec in registry.MODELS.values():
        meta = registry.load_metadata(spec.key)
        present = spec.pretrained_path.is_file()
        accuracy = f"{meta['test_accuracy']:.2%}" if meta and present and "test_accuracy" in meta else "-"
        target = f"{spec.target_accuracy:.1%}"
        if spec.task == "regression":  # the sequence models: test MSE instead of accuracy
            accuracy = f"MSE {meta['test_mse']:.1e}" if meta and present and "test_mse" in meta else "-"
            target = f"MSE < {spec.target_mse:g}" if spec.target_mse else "-"
        rows.append((spec.key, spec.dataset, spec.title, "yes" if present else "no", accuracy, target))
    if args.json:
        print(json.dumps([dict(zip(("model", "dataset", "title", "pretrained", "test_accuracy", "target"), r))
                          for r in rows]))
        return 0
    header = ("model", "dataset", "title", "pretrained", "test accuracy", "target")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for row in (header, *rows):
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)))
    return 0


def cmd_train(args) -> int:
    _quiet_tensorflow()
    from data import sources
    from models.training import loop

    spec = registry.get(args.name)
    epochs = args.epochs or spec.epochs
    extra = None if args.extra_writers is None else tuple(k for k in args.extra_writers if k != NO_EXTRA_WRITERS)
    if extra and spec.trainer:
        return _fail(f"{spec.key} is not trained on pictures of digits: --extra-writers is for the digit image models")
    if extra is not None:
        from data import writers

        try:
            writers.check(spec.dataset, extra)
        except ValueError as error:
            return _fail(str(error))
    adding = spec.extra_writers if extra is None else extra
    print(f"training {spec.key} ({spec.title}) on {spec.dataset}"
          + "".join(f" + the {catalog.get(k).title} training writers" for k in adding) + f": {epochs} epochs, "
          f"batch {args.batch_size or spec.batch_size}, seed {args.seed if args.seed is not None else spec.seed}",
          file=sys.stderr)
    if spec.embedding_warmup_epochs:
        print(f"first {spec.embedding_warmup_epochs} warm-up epochs for the embedding (no output), then:",
              file=sys.stderr)
    try:
        result = loop.train(
            spec.key, epochs=epochs, batch_size=args.batch_size, seed=args.seed,
            train_limit=args.limit, convergence_threshold=args.converge,
            callbacks=[loop.PrintProgress(epochs, lambda line: print(line, file=sys.stderr, flush=True))],
            progress=sources.terminal_progress(f"downloading {spec.dataset}"),
            **({} if extra is None else {"extra_writers": extra}),
        )
    except sources.DataUnavailable as error:
        return _fail(str(error), EXIT_UNAVAILABLE)
    model_path, meta_path = loop.save(result, args.out)
    meta = result.metadata
    if "test_bits_per_character" in meta:
        print(f"test {meta['test_bits_per_character']:.3f} bits per character (perplexity "
              f"{meta['test_perplexity']:.2f}) on {meta['test_n']} reviews; saved {model_path} and {meta_path}",
              file=sys.stderr)
        return 0
    if "test_mse" in meta:
        converged = f", converged at epoch {meta['converged_epoch']}" if meta.get("converged_epoch") else ""
        print(f"test MSE {meta['test_mse']:.6f}, MAE {meta['test_mae']:.4f} on {meta['test_n']} windows"
              f"{converged}; saved {model_path} and {meta_path}", file=sys.stderr)
        return 0
    for key, added in (meta.get("extra_writers") or {}).items():
        print(f"added {added['train']} training digits by {added['train_writers']} {key} writers "
              f"(+{added['validation']} validation); accuracy on its {added['test_n']} test digits "
              f"{added['test_accuracy']:.4f}", file=sys.stderr)
    print(f"test accuracy {meta['test_accuracy']:.4f} on {meta['test_n']} examples "
          f"(target {spec.target_accuracy:.3f}); saved {model_path} and {meta_path}", file=sys.stderr)
    return 0


def cmd_evaluate(args) -> int:
    _quiet_tensorflow()
    from data import sources
    from models import store
    from models.training import loop

    spec = registry.get(args.name)
    if args.test_set not in (None, spec.dataset):
        return _evaluate_other_writers(spec, args)
    test_task = args.on or spec.dataset
    if args.on:
        measuring = [t.key for t in catalog.TASKS.values() if t.measures_models_of == spec.dataset]
        if args.on not in measuring:
            return _fail(f"--on {args.on}: {spec.key}'s models are measured on "
                         f"{', '.join(measuring) or 'no other test set'}")
    if args.negation and not (spec.task == "binary" and catalog.get(spec.dataset).input_kind == "text"):
        return _fail(f"--negation scores review models; {spec.key} does not read reviews")
    try:
        data = loop.load_dataset(test_task, sources.terminal_progress(f"downloading {test_task}"))
        model = store.load_model(args.model_file) if args.model_file else store.load_pretrained(spec.key)
    except (sources.DataUnavailable, store.ModelUnavailable) as error:
        return _fail(str(error), EXIT_UNAVAILABLE)
    if spec.task == "language_model":
        from models.probes import generation

        result = generation.bits_per_character(model, list(data.x_test), list(data.y_test))
        if args.json:
            print(json.dumps({"model": spec.key, "dataset": spec.dataset, **result}))
        else:
            print(f"{spec.key}: {result['bits_per_character']:.4f} bits per character, perplexity "
                  f"{result['perplexity']:.3f}, on {result['reviews']} test reviews ({result['characters']:,} "
                  "characters, each review read from its start)")
        return 0
    if args.write_predictions and args.model_file:
        return _fail("--write-predictions writes the shipped model's file; drop --model-file")
    x_test = data.x_test.astype("float32") if data.x_test.dtype.kind in "ui" else data.x_test
    result = loop.evaluate(model, x_test, data.y_test, spec.task, len(data.class_names or []))
    predictions = result.pop("predictions", None)
    if args.negation:
        import numpy as np

        from models import negation

        right, total = negation.score_pairs(
            lambda texts: loop.predict_batched(model, np.asarray(list(texts), dtype=object)).reshape(-1))
        result["negation_pairs"] = [right, total]
    if args.write_predictions and predictions is not None:
        if args.on:
            store.write_json(_evaluation_record(spec, args.on, data, result), spec.evaluation_path(args.on))
            path = store.write_predictions(predictions, spec.evaluation_predictions_path(args.on))
            print(f"wrote {spec.evaluation_path(args.on)} and {path}", file=sys.stderr)
        else:
            path = store.write_predictions(predictions, spec.predictions_path)
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps({"model": spec.key, "dataset": test_task, **result}))
        return 0
    if "accuracy" not in result:
        print(f"{spec.key}: MSE {result['mse']:.5f}, MAE {result['mae']:.4f} "
              f"on {result['n']} {spec.dataset} test windows")
        return 0
    print(f"{spec.key}: accuracy {result['accuracy']:.4f} on {result['n']} {test_task} test examples")
    print("confusion matrix (rows: true class, columns: predicted):")
    for name, row in zip(data.class_names, result["confusion_matrix"]):
        print(f"  {name:>10}: " + " ".join(f"{v:5d}" for v in row))
    if "negation_pairs" in result:
        right, total = result["negation_pairs"]
        print(f"negation pairs: {right} of {total} with both sentences right ({right / total:.0%})")
    return 0


def _evaluation_record(spec, task_key: str, data, result: dict) -> dict:
    """What Compare reads for a model measured on another task's test set (ModelSpec.evaluation_path)."""
    import datetime

    record = {"model": spec.key, "dataset": task_key, "class_names": list(data.class_names or []),
              "test_n": result["n"], "test_accuracy": result["accuracy"],
              "confusion_matrix": result["confusion_matrix"], "data_sha256": data.sha256,
              "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
              "command": f"python -m models evaluate {spec.key} --on {task_key} --write-predictions"}
    if "negation_pairs" in result:
        record["negation_pairs"] = result["negation_pairs"]
        record["command"] += " --negation"
    return record


def _evaluate_other_writers(spec, args) -> int:
    """An image model on another source's test writers drawn as its pictures (``data.writers``)."""
    from data import sources, writers
    from models import store
    from models.training import loop

    if args.write_predictions:
        return _fail("--write-predictions is for the model's own test set; drop --test-set")
    try:
        writers.check(spec.dataset, [args.test_set])
        model = store.load_model(args.model_file) if args.model_file else store.load_pretrained(spec.key)
        result = loop.evaluate_test_set(model, spec.dataset, args.test_set)
    except ValueError as error:
        return _fail(str(error))
    except (sources.DataUnavailable, store.ModelUnavailable) as error:
        return _fail(str(error), EXIT_UNAVAILABLE)
    result.pop("predictions", None)
    described = catalog.get(args.test_set).test_description
    if args.json:
        print(json.dumps({"model": spec.key, "dataset": spec.dataset, "test_set": args.test_set,
                          "test_description": described, **result}))
        return 0
    print(f"{spec.key}: accuracy {result['accuracy']:.4f} on {result['n']} {args.test_set} test examples "
          f"({described}, drawn as pictures)")
    print("confusion matrix (rows: true class, columns: predicted):")
    for name, row in zip(catalog.get(spec.dataset).class_names, result["confusion_matrix"]):
        print(f"  {name:>10}: " + " ".join(f"{v:5d}" for v in row))
    return 0


def cmd_predict_text(spec, args) -> int:
    """Sentiment of reviews given with --text (repeatable) and/or --text-file (one per line)."""
    texts = list(args.text or [])
    if args.text_file:
        try:
            with open(args.text_file, encoding="utf-8", errors="replace") as f:
                texts += [line.rstrip("\n") for line in f if line.strip()]
        except OSError as error:
            return _fail(f"{_shown(args.text_file)}: cannot read it ({error.strerror or error})")
    if args.images:
        return _fail(f"{spec.key} reads text: give it --text or --text-file, not files")
    if not texts:
        return _fail("give a review with --text \"...\" or a file of reviews with --text-file")
    _quiet_tensorflow()
    import numpy as np

    from models import store
    from models.probes import reviews
    from models.training import loop

    readable = [t for t in texts if reviews.clean_words(t)]
    failed = len(texts) - len(readable)
    for t in texts:
        if t not in readable:
            print(f"error: no words to read in {t[:60]!r} (only punctuation, symbols or emoji?)", file=sys.stderr)
    results = []
    if readable:
        try:
            model = store.load_pretrained(spec.key)
        except store.ModelUnavailable as error:
            return _fail(str(error), EXIT_UNAVAILABLE)
        cut = np.asarray([reviews.review_text(t) for t in readable], dtype=object)  # valid UTF-8, at most 20,000
        positive = loop.predict_batched(model, cut).reshape(-1)
        results = [{"text": t, "label": "positive" if p > 0.5 else "negative", "probability": round(float(p), 6)}
                   for t, p in zip(readable, positive)]
    if args.json:
        print(json.dumps(results))
    else:
        for r in results:
            print(f"{r['label']:8s} P(positive)={r['probability']:.3f}  {reviews.review_text(r['text'][:70])}")
    return 1 if failed else 0


def cmd_predict(args) -> int:
    spec = registry.get(args.name)
    task = catalog.TASKS.get(spec.dataset)
    kind = task.input_kind if task is not None and task.prepare_user_input is not None else None
    if kind == "text":
        return cmd_predict_text(spec, args)
    if kind == "photo":
        return cmd_predict_photo(spec, task, args)
    if kind == "strokes":
        return cmd_predict_strokes(spec, args)
    if args.strokes:
        return _fail(f"{spec.key} reads {kind or 'no'} input, not pen strokes; try pen_lstm")
    if kind != "image":
        return _fail(f"{spec.key} does not classify images or text")
    if args.text or args.text_file:
        return _fail(f"{spec.key} reads images, not text")
    if not args.images:
        return _fail("give at least one image file")
    from data import digits

    prepared, failed = [], 0
    for name in args.images:
        try:
            digit = task.prepare_user_input(digits.open_image(name))  # the Draw page's preprocessing
        except digits.NotAnImage as error:
            print(f"error: {_shown(name)}: {error}", file=sys.stderr)
            failed += 1
            continue
        if digit is None:
            print(f"error: {_shown(name)}: no digit found (the image is blank or has no contrast)", file=sys.stderr)
            failed += 1
            continue
        prepared.append((name, digit))
    return _answer_files(spec, prepared, failed, args)


def _answer_files(spec, prepared: list, failed: int, args, class_names=None) -> int:
    """Every prepared input (file name, model input) through the shipped model in one batch;
    print ``[{"file", "label", "probabilities"}]`` (with ``class_names``: the label and the
    probabilities by class name, else the class number and a list). Exit 1 if any file failed."""
    results = []
    if prepared:
        _quiet_tensorflow()
        import numpy as np

        from models import store

        try:
            model = store.load_pretrained(spec.key)
        except store.ModelUnavailable as error:
            return _fail(str(error), EXIT_UNAVAILABLE)
        probabilities = np.asarray(model.predict_on_batch(np.stack([x for _, x in prepared])))
        for (name, _), p in zip(prepared, probabilities):
            if class_names:
                results.append({"file": name, "label": class_names[int(p.argmax())],
                                "probabilities": {c: round(float(v), 6) for c, v in zip(class_names, p)}})
            else:
                results.append({"file": name, "label": int(p.argmax()),
                                "probabilities": [round(float(v), 6) for v in p]})
    if args.json:
        print(json.dumps(results))
    else:
        for r in results:
            top = max(r["probabilities"].values() if class_names else r["probabilities"])
            print(f"{_shown(r['file'])}: {r['label']} ({top:.1%})")
    return 1 if failed else 0


def cmd_predict_photo(spec, task, args) -> int:
    """Photo files through the Photo page's preprocessing; labels and probabilities by class name."""
    if args.text or args.text_file:
        return _fail(f"{spec.key} reads photos, not text")
    if not args.images:
        return _fail("give at least one photo file")
    from data import photos

    prepared, failed = [], 0
    for name in args.images:
        try:
            prepared.append((name, photos.model_input(name)))
        except photos.NotAPhoto as error:
            print(f"error: {_shown(name)}: {error}", file=sys.stderr)
            failed += 1
    return _answer_files(spec, prepared, failed, args, class_names=list(task.class_names))


def cmd_predict_strokes(spec, args) -> int:
    """Stroke files ({"strokes": [[[x, y], ...], ...]}, screen coordinates) through the Draw
    page's stroke pipeline; output as for digit images."""
    if args.images or args.text or args.text_file:
        return _fail(f"{spec.key} reads pen strokes: give it --strokes FILE.json")
    if not args.strokes:
        return _fail('give at least one stroke file with --strokes FILE.json ({"strokes": [[[x, y], ...], ...]})')
    from data import strokes

    prepared, failed = [], 0
    for name in args.strokes:
        try:
            prepared.append((name, strokes.to_sequence(strokes.read_stroke_file(name)).rows))
        except (OSError, ValueError) as error:
            print(f"error: {_shown(name)}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
            failed += 1
    return _answer_files(spec, prepared, failed, args)


def cmd_generate(args) -> int:
    """Write a review with a language model, streamed to stdout (or one JSON object)."""
    spec = registry.get(args.name)
    if spec.task != "language_model":
        return _fail(f"{spec.key} is not a language model; try: "
                     + ", ".join(s.key for s in registry.MODELS.values() if s.task == "language_model"))
    _quiet_tensorflow()
    from data import characters
    from models import store
    from models.probes import generation

    prompt = generation.prepare_prompt(args.prompt)
    for char in prompt.unknown:
        print(f"note: the model cannot spell {char!r}; it is read as an unknown character", file=sys.stderr)
    if prompt.cut:
        print(f"note: only the last {generation.MAX_PROMPT} characters of the prompt are read", file=sys.stderr)
    try:
        writer = generation.CharWriter(store.load_pretrained(spec.key))
    except store.ModelUnavailable as error:
        return _fail(str(error), EXIT_UNAVAILABLE)
    sentiment = characters.SENTIMENTS.index(args.sentiment)
    steps = writer.write(prompt.text, sentiment, args.temperature, args.length, seed=args.seed,
                         strength=args.strength)
    if args.json:
        text = "".join(step.char for step in steps)
        print(json.dumps({"model": spec.key, "prompt": prompt.text, "sentiment": args.sentiment,
                          "temperature": args.temperature, "strength": args.strength, "seed": args.seed,
                          "text": text}))
        return 0
    sys.stdout.write(prompt.text)
    for step in steps:
        sys.stdout.write(step.char)
        sys.stdout.flush()
    sys.stdout.write("\n")
    return 0


def _positive_number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.8, got {value!r}") from None
    if not 0 < number <= 100:
        raise argparse.ArgumentTypeError(f"must be greater than 0 (and at most 100), got {value!r}")
    return number


def _strength(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 1, got {value!r}") from None
    if not 0 <= number <= 10:
        raise argparse.ArgumentTypeError(f"must be between 0 and 10, got {value!r}")
    return number


def _whole_number(value: str, low: int, high: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < low:
        raise argparse.ArgumentTypeError(f"must be at least {low}, got {number}")
    if high is not None and number > high:
        raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {number}")
    return number


def _count(value: str) -> int:
    """A whole number >= 1 (epochs, batch size, number of examples)."""
    return _whole_number(value, 1)


def _seed(value: str) -> int:
    return _whole_number(value, 0, 2**32 - 1)  # NumPy's and TensorFlow's seed range


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 1e-4, got {value!r}") from None
    if not 0 <= number < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0 (0 switches it off), got {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m models", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir",
                        help="folder with the dataset files (else $EXPLORER_DATA_DIR, then the user cache)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="every model, whether its pretrained file is present, its accuracy")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("train", help="train a model and save NAME.keras + NAME.json")
    p.add_argument("name")
    p.add_argument("--epochs", type=_count)
    p.add_argument("--batch-size", type=_count)
    p.add_argument("--seed", type=_seed)
    p.add_argument("--out", default=str(registry.PRETRAINED_DIR), help="output folder (default: pretrained/)")
    p.add_argument("--limit", type=_count, help="train on only the first N training examples (quick runs)")
    p.add_argument("--converge", type=_threshold, metavar="THRESHOLD",
                   help="stop once the mean epoch loss changes by less than THRESHOLD (e.g. 1e-4)")
    p.add_argument("--extra-writers", nargs="+", metavar="SOURCE", choices=[*WRITER_SOURCES, NO_EXTRA_WRITERS],
                   help="digit image models: also learn from these writers' training digits, drawn as pictures "
                        f"({', '.join(WRITER_SOURCES)}; '{NO_EXTRA_WRITERS}': only the model's own data; "
                        "default: the model's recipe)")
    p.set_defaults(run=cmd_train)

    p = sub.add_parser("evaluate", help="test accuracy and confusion matrix on the full test set")
    p.add_argument("name")
    p.add_argument("--model-file", help="evaluate this .keras file instead of the pretrained one")
    p.add_argument("--write-predictions", action="store_true",
                   help="also write pretrained/NAME.predictions.npz (each test example's prediction); "
                        "with --on TASK, pretrained/NAME.on_TASK.json and .predictions.npz (for Compare)")
    p.add_argument("--on", metavar="TASK",
                   help="measure on another task's test set instead (review models: sst, the SST-2 test sentences)")
    p.add_argument("--negation", action="store_true",
                   help="review models: also count the negation pairs (tests/data/negation.tsv) with both "
                        "sentences right")
    p.add_argument("--test-set", metavar="SOURCE", choices=list(catalog.TASKS),
                   help="digit image models: the test writers of another source, drawn as pictures "
                        f"({', '.join(WRITER_SOURCES)}), instead of the model's own test set")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_evaluate)

    p = sub.add_parser("predict", help="classify image files (digit, photo models) or reviews (imdb models)",
                       description="Digit models: image files, preprocessed exactly as on the Draw page. "
                                   "Photo models (CIFAR-10): photo files, as on the Photo page; label and "
                                   "probabilities by class name. IMDB models: --text/--text-file; "
                                   "'probability' is P(positive).")
    p.add_argument("name")
    p.add_argument("images", nargs="*", metavar="IMAGE")
    p.add_argument("--text", action="append", help="a review to classify (repeatable)")
    p.add_argument("--text-file", help="a UTF-8 file with one review per line")
    p.add_argument("--strokes", action="append", metavar="FILE.json",
                   help='pen models: a stroke file {"strokes": [[[x, y], ...], ...]} (screen coordinates, '
                        "y down, one list per pen-down stroke); repeatable")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_predict)

    p = sub.add_parser("generate", help="write a review with the character language model",
                       description="Streams the review to stdout; --json prints one object instead.")
    p.add_argument("name")
    p.add_argument("--prompt", default="", help="the start of the review (default: none)")
    p.add_argument("--sentiment", choices=["positive", "negative"], default="positive")
    p.add_argument("--temperature", type=_positive_number, default=0.8, help="softmax(z / T) (default 0.8)")
    p.add_argument("--length", type=lambda v: _whole_number(v, 1, 2000), default=300,
                   help="characters to write (1-2000, default 300)")
    p.add_argument("--strength", type=_strength, default=1.0,
                   help="sentiment strength g: z_asked + g (z_asked - z_other) (default 1)")
    p.add_argument("--seed", type=_seed)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_generate)
    return parser


def main(argv=None) -> int:
    # --data-dir may come before or after the sub-command.
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--data-dir" in argv:
        i = argv.index("--data-dir")
        if i + 1 < len(argv):
            argv = [*argv[i:i + 2], *argv[:i], *argv[i + 2:]]
    args = build_parser().parse_args(argv)
    if args.data_dir:
        from data import sources

        os.environ[sources.DATA_DIR_VARIABLE] = args.data_dir
    try:
        return args.run(args)
    except KeyError as error:
        return _fail(error.args[0])
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


if __name__ == "__main__":
    # A file name or --text with bytes that are not UTF-8 arrives as surrogates (PEP 383):
    # print it back as the bytes it came as, instead of failing with UnicodeEncodeError.
    sys.stdout.reconfigure(errors="surrogateescape")
    sys.exit(main())
