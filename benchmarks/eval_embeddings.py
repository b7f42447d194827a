"""Compare the sentence encoders on Dutch insurance paraphrases; prints Markdown tables.

Each row of `TRIPLES` is (clause, paraphrase of the same rule as policy conditions would word it,
hard negative: same domain and often the same topic, but a different rule). Every model runs in
its own subprocess so load time and resident memory are measured from a clean start.

    python -m benchmarks.eval_embeddings [--threads 2] [--repeats 5] [--threshold 0.8] [--models NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable

TRIPLES: list[tuple[str, str, str]] = [
    (
        "Schade door storm is verzekerd met een eigen risico van € 500.",
        "Bij stormschade geldt een eigen bijdrage van 500 euro per gebeurtenis.",
        "Schade door storm aan losse tuinmeubelen en zonneschermen is niet verzekerd.",
    ),
    (
        "Diefstal uit een onbeheerd achtergelaten auto is niet verzekerd.",
        "Er is geen dekking voor spullen die gestolen worden uit een voertuig dat zonder toezicht is achtergelaten.",
        "Diefstal van de auto zelf is alleen gedekt als het voertuig een goedgekeurd alarmsysteem heeft.",
    ),
    (
        "Glasschade wordt vergoed zonder eigen risico.",
        "Voor breuk van ruiten hoeft de verzekerde niets zelf te betalen.",
        "Glas in serres en kassen valt niet onder de dekking.",
    ),
    (
        "De verzekering dekt geen schade die opzettelijk door de verzekerde is veroorzaakt.",
        "Uitgesloten is schade die een verzekerde met opzet heeft toegebracht.",
        "Schade veroorzaakt door een verzekerde onder invloed van alcohol of drugs is uitgesloten.",
    ),
    (
        "Waterschade door een lekkende wasmachine is verzekerd.",
        "Schade door water dat onvoorzien uit een aangesloten wasautomaat stroomt, valt onder de dekking.",
        "Waterschade door grondwater dat via de vloer binnendringt is niet verzekerd.",
    ),
    (
        "Bij leegstand van het gebouw langer dan drie maanden vervalt de dekking voor inbraak.",
        "Staat het pand meer dan 90 dagen leeg, dan is schade door inbraak niet langer gedekt.",
        "Leegstand van het gebouw moet binnen veertien dagen aan de verzekeraar worden gemeld.",
    ),
    (
        "Sieraden zijn meeverzekerd tot een maximum van € 6.000.",
        "Voor juwelen geldt een maximale vergoeding van 6000 euro.",
        "Sieraden zijn alleen tegen diefstal verzekerd als ze in een kluis worden bewaard.",
    ),
    (
        "Schade aan gehuurde of geleende zaken is niet gedekt onder de aansprakelijkheidsverzekering.",
        "De aansprakelijkheidsdekking geldt niet voor spullen die de verzekerde van een ander heeft gehuurd of geleend.",
        "Schade die kinderen jonger dan veertien jaar aan anderen toebrengen, is gedekt onder de aansprakelijkheidsverzekering.",
    ),
    (
        "De verzekerde moet een schade binnen 14 dagen na ontdekking melden.",
        "Een schadegeval dient uiterlijk twee weken nadat het is ontdekt bij de verzekeraar te worden aangemeld.",
        "Diefstal en inbraak moeten altijd direct bij de politie worden aangegeven.",
    ),
    (
        "Schade door aardbeving en vulkanische uitbarsting is uitgesloten.",
        "Er wordt niets uitgekeerd voor schade die ontstaat door aardbevingen of vulkaanuitbarstingen.",
        "Schade door aardbevingen als gevolg van gaswinning wordt vergoed tot het verzekerde bedrag.",
    ),
    (
        "Bij total loss van de auto in het eerste jaar wordt de nieuwwaarde vergoed.",
        "Is het voertuig binnen twaalf maanden na aankoop niet meer te herstellen, dan keren wij de cataloguswaarde uit.",
        "Bij total loss van de auto na het derde jaar wordt de dagwaarde vergoed.",
    ),
    (
        "Schade ontstaan tijdens deelname aan snelheidswedstrijden is niet verzekerd.",
        "Er is geen dekking als met het voertuig aan een race of snelheidsrit wordt deelgenomen.",
        "Schade ontstaan tijdens het rijden zonder geldig rijbewijs is niet verzekerd.",
    ),
    (
        "Kosten van een vervangende auto worden vergoed tot maximaal 30 dagen.",
        "Wij betalen een vervangend voertuig gedurende ten hoogste een maand.",
        "Kosten van berging en transport van de beschadigde auto worden vergoed tot € 1.000.",
    ),
    (
        "De premie wordt jaarlijks aangepast aan het indexcijfer van het CBS.",
        "Elk jaar wordt het premiebedrag geïndexeerd volgens de cijfers van het Centraal Bureau voor de Statistiek.",
        "De premie moet uiterlijk 30 dagen na de vervaldatum zijn betaald.",
    ),
    (
        "Schade door grondverzakking is niet gedekt.",
        "Verzakking of inklinking van de bodem valt buiten de dekking.",
        "Schade door verzakking van de fundering als gevolg van een lekkende waterleiding is gedekt.",
    ),
    (
        "Rechtsbijstand wordt verleend tot een maximum van € 50.000 per zaak.",
        "Per juridisch geschil vergoeden wij externe kosten tot ten hoogste 50.000 euro.",
        "Rechtsbijstand wordt niet verleend als het financieel belang van het geschil lager is dan € 250.",
    ),
    (
        "Schade door slijtage of achterstallig onderhoud wordt niet vergoed.",
        "Er is geen dekking voor schade die het gevolg is van geleidelijke veroudering of slecht onderhoud.",
        "Schade door bevriezing van leidingen wordt niet vergoed als de verwarming was uitgeschakeld.",
    ),
    (
        "Kinderen tot 18 jaar zijn gratis meeverzekerd op de reisverzekering.",
        "Minderjarige kinderen reizen zonder extra premie mee onder deze reispolis.",
        "Kinderen die zonder hun ouders op reis gaan, zijn niet verzekerd op de reisverzekering.",
    ),
    (
        "Medische kosten in het buitenland worden vergoed tot tweemaal het Nederlandse tarief.",
        "Zorgkosten tijdens een buitenlandse reis betalen wij tot het dubbele van wat daarvoor in Nederland gebruikelijk is.",
        "Medische kosten in het buitenland worden alleen vergoed als u vooraf de alarmcentrale belt.",
    ),
    (
        "Wintersport is alleen verzekerd als de aanvullende dekking is afgesloten.",
        "Voor skiën en snowboarden is er slechts dekking indien u de extra module wintersport heeft gekozen.",
        "Wintersportuitrusting is verzekerd tot een maximum van € 1.500 per reis.",
    ),
    (
        "De opzegtermijn van de verzekering bedraagt één maand.",
        "U kunt de polis beëindigen met inachtneming van een termijn van dertig dagen.",
        "De verzekeraar kan de verzekering direct opzeggen bij fraude door de verzekeringnemer.",
    ),
    (
        "Schade door terrorisme is verzekerd tot het bedrag dat de NHT uitkeert.",
        "Bij terrorismeschade is de uitkering beperkt tot wat de Nederlandse Herverzekeringsmaatschappij voor Terrorismeschaden vergoedt.",
        "Schade door molest, zoals oorlog en burgeroorlog, is uitgesloten.",
    ),
    (
        "Inbraakschade wordt alleen vergoed als er sporen van braak zichtbaar zijn.",
        "Voor vergoeding van diefstal na inbraak moeten aan het pand zichtbare braaksporen aanwezig zijn.",
        "Bij inbraakschade worden ook de kosten van het vervangen van de sloten vergoed.",
    ),
    (
        "Fietsen zijn meeverzekerd tot € 1.000 per fiets, mits afgesloten met een goedgekeurd slot.",
        "Een rijwiel is gedekt tot 1000 euro, op voorwaarde dat het met een ART-gekeurd slot was vastgezet.",
        "Elektrische fietsen vallen onder een aparte fietsverzekering en niet onder de inboedelverzekering.",
    ),
    (
        "Schade aan de eigen woning door huisdieren is niet verzekerd.",
        "Beschadigingen aan uw huis die door uw eigen dieren zijn aangericht, worden niet vergoed.",
        "Schade die uw hond aan andermans eigendommen toebrengt, is verzekerd onder de aansprakelijkheidsverzekering.",
    ),
    (
        "Bij onderverzekering wordt de schade naar evenredigheid vergoed.",
        "Is het verzekerde bedrag lager dan de werkelijke waarde, dan keren wij slechts een evenredig deel van de schade uit.",
        "De verzekeraar doet geen beroep op onderverzekering als de inboedelwaardemeter is ingevuld.",
    ),
    (
        "Schade aan bedrijfsmiddelen die buiten het gebouw staan, is niet gedekt.",
        "Zaken van het bedrijf die zich in de open lucht bevinden, vallen buiten de verzekering.",
        "Bedrijfsmiddelen zijn tot 90 dagen ook tijdelijk elders in Nederland verzekerd.",
    ),
    (
        "Een verzekerde die de schade niet binnen een jaar meldt, verliest het recht op uitkering.",
        "Wordt een schade later dan twaalf maanden na het ontstaan gemeld, dan vervalt iedere aanspraak op vergoeding.",
        "Een verzekerde die onjuiste informatie verstrekt, verliest het recht op uitkering.",
    ),
    (
        "Schade door een lekkend dak is alleen gedekt als het lek het gevolg is van storm.",
        "Inregenen via het dak wordt uitsluitend vergoed wanneer de opening door stormschade is ontstaan.",
        "Schade aan de dakbedekking door ouderdom is niet gedekt.",
    ),
    (
        "Voor zonnepanelen geldt een eigen risico van € 250 per gebeurtenis.",
        "Bij schade aan pv-panelen komt steeds de eerste 250 euro voor rekening van de verzekerde.",
        "Zonnepanelen zijn meeverzekerd tot een maximum van € 10.000.",
    ),
    (
        "De verzekering geldt alleen voor schade binnen Europa.",
        "Het dekkingsgebied is beperkt tot de Europese landen.",
        "Voor reizen buiten Europa geldt een hogere premie.",
    ),
    (
        "Bij verlies van een arm wordt 75% van het verzekerde bedrag uitgekeerd.",
        "Raakt de verzekerde een arm kwijt, dan betalen wij driekwart van de verzekerde som uit.",
        "Bij overlijden door een ongeval wordt het volledige verzekerde bedrag uitgekeerd.",
    ),
    (
        "De bestuurder moet in het bezit zijn van een geldig rijbewijs.",
        "Er is alleen dekking als degene die rijdt een rijbevoegdheid heeft die niet is verlopen of ingetrokken.",
        "De bestuurder moet minimaal 24 jaar oud zijn om gebruik te maken van de no-claimkorting.",
    ),
    (
        "Schade door het gebruik van een drone is niet gedekt op de aansprakelijkheidsverzekering.",
        "Aansprakelijkheid voor schade veroorzaakt met een onbemand luchtvaartuig is uitgesloten.",
        "Schade veroorzaakt met een speelgoedboot of modelauto is wel gedekt op de aansprakelijkheidsverzekering.",
    ),
    (
        "Na een schadevrij jaar stijgt de bonus-malustrede met één stap.",
        "Voor elk jaar zonder claim gaat u een trede omhoog op de no-claimladder.",
        "Na een schade waarbij u schuld heeft, daalt de bonus-malustrede met vijf stappen.",
    ),
    (
        "Voor bestuurders jonger dan 24 jaar geldt een extra eigen risico van € 300.",
        "Rijdt iemand onder de 24 jaar, dan komt er een aanvullende eigen bijdrage van 300 euro bij.",
        "Het eigen risico voor ruitschade vervalt bij herstel door een aangesloten hersteller.",
    ),
    (
        "Kosten voor het opruimen van puin na een brand worden vergoed boven het verzekerde bedrag.",
        "Bovenop de verzekerde som betalen wij de kosten van het afvoeren van brandresten.",
        "Schade door brand als gevolg van een ondeugdelijke schoorsteen is uitgesloten.",
    ),
    (
        "Bagage is verzekerd tot € 3.000 per persoon per reis.",
        "Per reiziger en per reis geldt voor reisbagage een maximale vergoeding van drieduizend euro.",
        "Bagage die onbeheerd in een auto wordt achtergelaten, is niet verzekerd.",
    ),
    (
        "Geldbedragen zijn verzekerd tot maximaal € 500.",
        "Voor contant geld vergoeden wij ten hoogste 500 euro.",
        "Geld is niet verzekerd tijdens het vervoer naar de bank.",
    ),
    (
        "Een verbouwing moet vooraf aan de verzekeraar worden gemeld.",
        "Wijzigingen aan het gebouw door een verbouwing dienen voor aanvang aan ons te worden doorgegeven.",
        "Tijdens een verbouwing is diefstal van bouwmaterialen niet gedekt.",
    ),
]


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _best_seconds(encode: Callable[[list[str]], object], texts: list[str], repeats: int) -> tuple[float, float]:
    """Fastest wall time and fastest process CPU time over several runs.

    The cores are shared, and other load only ever slows a run down, so the minimum is the best
    estimate; CPU time (all threads) is far less disturbed by other processes than wall time.
    """
    wall = cpu = float("inf")
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        encode(texts)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def _worker(name: str, threads: int, repeats: int, threshold: float) -> dict[str, float | str]:
    """Runs in a fresh process: load, quality metrics, speed, memory for one model."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from hienfeld.embedding_models import load_encoder

    base = _rss_mb()
    start = time.perf_counter()
    encoder = load_encoder(name, threads=threads)
    load_s = time.perf_counter() - start
    rss_load = _rss_mb() - base

    clauses, paraphrases, negatives = (list(column) for column in zip(*TRIPLES))
    c, p, n = (encoder.encode(texts) for texts in (clauses, paraphrases, negatives))
    pos = np.einsum("ij,ij->i", c, p)
    neg = np.einsum("ij,ij->i", c, n)
    labels = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    gold = np.arange(len(clauses))
    acc1 = float(np.mean((c @ p.T).argmax(axis=1) == gold))
    # Harder pool: the hard negatives compete with the paraphrases, as near-miss articles do.
    acc1_hard = float(np.mean((c @ np.vstack([p, n]).T).argmax(axis=1) == gold))

    # Clause against conditions-like chunks: chunk i holds paraphrase i between the hard negatives
    # of clauses i-1 and i+1, so clause i's own near-miss sits in the two neighbouring chunks.
    k = len(clauses)
    chunks = [" ".join([negatives[(i - 1) % k], paraphrases[i], negatives[(i + 1) % k]]) for i in range(k)]
    ranks = (-(c @ encoder.encode(chunks).T)).argsort(axis=1)
    chunk_acc1 = float(np.mean(ranks[:, 0] == gold))
    chunk_r5 = float(np.mean((ranks[:, :5] == gold[:, None]).any(axis=1)))  # top_k_chunks is 5

    # Score scale: cosines are not comparable across models, so a fixed threshold is not either.
    unrelated = (c @ p.T)[~np.eye(len(clauses), dtype=bool)]
    scores = np.r_[pos, neg]
    cut_accuracy = [float(np.mean((scores >= t) == labels)) for t in scores]
    best = int(np.argmax(cut_accuracy))

    sentences = clauses + paraphrases + negatives
    batch = (sentences * 3)[:256]
    # Conditions chunks are paragraphs, not sentences: 64 texts of 6 sentences (~80 words) each.
    paragraphs = ([" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6)] * 4)[:64]
    encoder.encode(batch[:32])  # warm-up outside the timing
    sent_wall, sent_cpu = _best_seconds(encoder.encode, batch, repeats)
    para_wall, para_cpu = _best_seconds(encoder.encode, paragraphs, max(1, repeats // 2))

    return {
        "model": name,
        "dim": encoder.dim,
        "cos_pos": float(pos.mean()),
        "cos_neg": float(neg.mean()),
        "auc": float(roc_auc_score(labels, scores)),
        "acc1": acc1,
        "acc1_hard": acc1_hard,
        "chunk_acc1": chunk_acc1,
        "chunk_r5": chunk_r5,
        "sent_s": len(batch) / sent_wall,
        "sent_cpu_s": len(batch) / sent_cpu,
        "para_s": len(paragraphs) / para_wall,
        "para_cpu_s": len(paragraphs) / para_cpu,
        "cos_unrelated": float(unrelated.mean()),
        "best_cut": float(scores[best]),
        "best_cut_acc": cut_accuracy[best],
        "pos_over": float(np.mean(pos >= threshold)),
        "neg_over": float(np.mean(neg >= threshold)),
        "load_s": load_s,
        "rss_load_mb": rss_load,
        "rss_peak_mb": _peak_rss_mb() - base,
    }


def _run_isolated(name: str, threads: int, repeats: int, threshold: float) -> dict[str, float | str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    cmd = [sys.executable, "-m", "benchmarks.eval_embeddings", "--worker", name]
    cmd += ["--threads", str(threads), "--repeats", str(repeats), "--threshold", str(threshold)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=False)
    if done.returncode != 0:
        return {"model": name, "error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(rows: list[dict[str, float | str]], threads: int, threshold: float) -> str:
    quality = (
        "| model | dim | cos pos | cos neg | gap | ROC-AUC | acc@1 | acc@1 +neg | chunk acc@1 | chunk R@5 "
        "| load s | RSS Δ load MB | RSS Δ peak MB |"
    )
    speed = (
        f"| model | sentences/s (256, {threads} thr) | sentences per CPU-s "
        f"| paragraphs/s (64, {threads} thr) | paragraphs per CPU-s |"
    )
    scale = (
        "| model | cos other rules | best cut (pos vs neg) | accuracy at cut "
        f"| pos ≥ {threshold:.2f} | neg ≥ {threshold:.2f} |"
    )
    lines = [quality, "|" + "---|" * 13]
    speed_lines = ["", speed, "|" + "---|" * 5]
    scale_lines = ["", scale, "|" + "---|" * 6]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['model']} | error: {r['error']} |" + " |" * 11)
            continue
        lines.append(
            f"| {r['model']} | {r['dim']} | {r['cos_pos']:.3f} | {r['cos_neg']:.3f} "
            f"| {r['cos_pos'] - r['cos_neg']:.3f} | {r['auc']:.3f} | {r['acc1']:.3f} | {r['acc1_hard']:.3f} "
            f"| {r['chunk_acc1']:.3f} | {r['chunk_r5']:.3f} "
            f"| {r['load_s']:.2f} | {r['rss_load_mb']:.0f} | {r['rss_peak_mb']:.0f} |"
        )
        speed_lines.append(
            f"| {r['model']} | {r['sent_s']:.0f} | {r['sent_cpu_s']:.0f} | {r['para_s']:.1f} "
            f"| {r['para_cpu_s']:.1f} |"
        )
        scale_lines.append(
            f"| {r['model']} | {r['cos_unrelated']:.3f} | {r['best_cut']:.3f} | {r['best_cut_acc']:.3f} "
            f"| {r['pos_over']:.0%} | {r['neg_over']:.0%} |"
        )
    return "\n".join(lines + speed_lines + scale_lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", help="default: every installed encoder")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; the fastest counts")
    parser.add_argument(
        "--threshold", type=float, default=0.80, help="a fixed cosine cut to report (paraphrase_embedding)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(_worker(args.worker, args.threads, args.repeats, args.threshold)))
        return
    from hienfeld.embedding_models import available_encoders

    names = args.models or available_encoders()
    print(f"{len(TRIPLES)} positive + {len(TRIPLES)} hard-negative pairs, {os.cpu_count()} CPUs visible")
    rows = [_run_isolated(name, args.threads, args.repeats, args.threshold) for name in names]
    print(_table(rows, args.threads, args.threshold))


if __name__ == "__main__":
    main()
