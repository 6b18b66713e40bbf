"""Junk lines are never quoted, and the sentences that state a result still are."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from retrieval import findings
from retrieval.junk import is_junk

JUNK = [
    # author lists, affiliations, correspondence, e-mail
    "Steffensen LH, Jørgensen L, Straume B, Mellgren SI.",
    "Stacie Nguyen, Leo Baggerly, and Christine French are with GrassrootsHealth, Encinitas, CA.",
    "Drs. George and Khazrik are with the Departments of Internal Medicine at Mountain Home VAMC.",
    "b ERATO, Japan Science and Technology Agency, Kawaguchi, Saitama",
    "Department of Neurology, University Hospital of North Norway, Tromsø, Norway.",
    "Correspondence should be sent to Cedric F. Garland at the address below.",
    "Address all requests to the first author by e-mail please.",
    "Since meeting, this has been published online: Aspray TJ, Francis RM.",
    "The analysis was published online today in Menopause, the journal of the Society.",
    "The authors declare no conflicts of interest regarding this publication.",
    "This research was funded by the Department of Health, England.",
    "This article is protected by copyright.",
    "Studies were searched for with the following keywords: vitamin D, rickets, osteomalacia.",
    # journal and citation lines
    "J Neurol. 2011 Mar 13. doi: 10.1007/s00415-011-5960-6",
    "Am J Clin Nutr December 2013 vol. 98 no. 6 pages",
    # PubMed's links to other papers
    "Comment in Commentary on 'is hypovitaminosis D associated with abdominal aortic aneurysm, "
    "and is there a dose response relationship?'.",
    "Editorial Comment on:  Serum vitamin D and the risk of Parkinson disease.",
    "The challenges of using vitamin D in cancer prevention and prognosis. [Isr Med Assoc J. 2012]",
    "Eur J Endocrinol. 2013 Oct 1;169(5):597-604.",
    "Neurology published online August 6, 2014",
    "Femoral and tibial stress fractures and vitamin D J R Army Med Corps, March 2014",
    "Live long and prosper Katherine Bourzac Nature 492, S18–S20",
    "Cognition: The brain's decline Alison Abbott Nature 492, S4–S5",
    "Ultraviolet irradiation corrects vitamin D deficiency J Bone Miner Res 13:1238-1242",
    "Diagnostic single photon technology in osteoporosis, Beijing: Science Press, 1998: 59-84.",
    "To bring the page back to normal size press ctrl key and 0 (zero) key at the same time",
    "You can shrink your browser page size by pressing CTRL and the minus key",
    # site notes
    "Note: (xxx GS) means number of citations found at scholar.google.com in October 2013",
    "Google Scholar shows that this was cited by Google Scholar",
    "The study is behind a $30 paywall",
    "No abstract available, but the title says it all",
    "The full text of the article is available online for free",
    "It is visible only to registered users who are logged in.",
    "Please log in to your account to read the rest of this study",
    "The abstract below was auto-translated from Italian, so it holds errors",
    "The study is too long for Google Translate, so it comes in two sections",
    # markup the conversion to text left
    "It takes over 1,500 hours a year to update <span class=SpellE>the wiki",
    "font-family:\"Times New Roman\"'>· <span style='mso-spacerun:yes'> <a href",
    # captions and navigation
    "See also VitaminDWiki Overview Gut and vitamin D for more",
    "Click here to see the full chart of all the results",
    "Figure 2: Serum levels by month in the treated group",
    "Vitamin D levels Nordic winter study results chart.jpg",
    "Venous ulcers healed 4X faster with weekly 50,000 IU vitamin D – RCT Oct 2012",
    "Myasthenia gravis score improved 38 percent with just 800 IU of vitamin D daily – Dec 2012 A "
    "previously unsuspected disease",
    "Fish oil eased joint pain in older runners (small trial) March 2015",
    "Available online 14 May 2013",
    # table fragments
    "Raynaud's Syndrome | T | 40 % | RCT, visual scale, 20000 IU avg | 10",
    "| Cited By in Scopus (22)",
    "Disease Observed Expected RR (95% CI) P-value",
    # title-case lines: names, headings, titles of other pages
    "Molecular Aspects of the Role of Vitamin D in Muscle Function",
    # abbreviations
    "CD = Crohn disease; DBP = vitamin D binding protein; DC = dendritic cell",
    "O, Observed number of cases, E, Expected number, RR, Rate ratio; 95% CI, 95% Confidence "
    "interval.",
    "IV, inverse variance; CI, confidence interval; IU, international units.",
    "DBP: vitamin D binding protein; VDR: vitamin D receptor; CYP1alpha: vitamin D "
    "1alpha-hydroxylase;",
    "For teeth development: G=tooth germ fully formed; D=dentine formation begins; C=crown "
    "formation complete; E=eruption.",
    # lists whose one word in lower case repeats
    "Zinc (512 references), Magnesium (430 references), Iron (390 references), Vitamin K2 (210 "
    "references)",
    "Anna Berg, Tomas Lind equal contributor, Maria Holm, Erik Sand equal contributor",
    # funding and disclosure statements
    "This work was supported by the National Cancer Institute (K05 CA131675 to M.B).",
    "Supported by Cancer Research UK (grant C20668/A10007).",
    "This work was supported in part by grants from DST and BRNS, India.",
    "Funding This research received no specific grant from any funding agency.",
    "Nigwekar declared no competing interests.",
    "Disclosure Summary: M.T.D. has nothing to declare.",
    # a figure or table by its number: its caption, or a pointer to what a quote cannot show
    "Table 13 Age and vitamin D",
    "Figure 1 gives the risk estimates with 95% Confidence Intervals (CI) from the studies.",
    "Table 1 shows the nomenclature for vitamin D precursors and metabolites.",
    # a book's index and table of contents
    "low birth weight 616 low-cost therapy 248 lower respiratory tract infection 288 lungs",
    "C-reactive protein - See: CRP criteria for causality 216",
    "Vitamin D in the prevention and treatment of pancreatic cancer 393 T.C.",
    "Monitoring in vivo immune modulation by vitamin D in multiple sclerosis 475 A.-H.",
    "Immune modulation by UV: role of vitamin D 227 P.H.",
    "High-dose vitamin D supplementation in the elderly 147, C.J.",
    # a paper's title as a line of its own: its subject, then its design after a colon
    "Vitamin D status and asthma control in children: a systematic review and meta-analysis.",
    "Calcium and vitamin D in older women: a randomised double-blind placebo-controlled trial",
    "Sun exposure and the risk of multiple sclerosis: a nationwide Danish cohort study.",
]

FINDINGS = [
    "Many competing interests shape guidelines, so tighten the definition of competing interests.",
    "Supplementation with 20,000 IU vitamin D(3) a week did not prevent bone loss in this "
    "small population.",
    "Patients in the hospital who received 50,000 IU weekly had fewer infections.",
    "Fracture risk fell by 30% in women given 800 IU a day, 95% CI 0.41-0.93.",
    "Deficiency was most common in Stage 3, 4-5.",
    "The questionnaire was translated into Spanish and checked in 200 adults before use.",
    "Levels <20 ng/ml were seen in 40% of the children, and <10 ng/ml in 12% of them.",
    "Results revealed a significant positive effect of vitamin D supplementation on muscle "
    "strength (95% CI = 0.007-0.184; p = 0.034).",
    "The strongest inverse correlation is with breast, colon and ovarian cancer.",
    "However, the data cited by the authors utilized D2 supplementation.",
    "Comment on 2013 study by VitaminDWiki: even fewer ear infections if started with a loading "
    "dose.",
    "Levels rose by 12 ng/ml [95% CI 8 to 16] from the 2012 baseline.",
    "Cathelicidin expression in the skin is induced by 1,25(OH)2D (Pludowski et al. 2013).",
    "These subjects were recruited from the Department of Internal Medicine at King Abdulaziz "
    "University Hospital.",
    "Between December 2008 and June 2009, 130 patients were enrolled.",
    "Her vitamin D level was measured at 12 ng/ml in Oct 2011",
    "Enrolment ran from September 2011 through February 2012",
    "Hip BMD decreased by 2.1% in the vitamin D group and 1.9% in the placebo group.",
    "CONCLUSION: VITAMIN D DID NOT PREVENT BONE LOSS IN THIS SMALL GROUP OF PATIENTS.",
    "Patients who signed up for the registry were followed for 5 years.",
    "The results will be published soon, but early ones show K2 reversing heart disease.",
    # a group and where it stands, not people and where they work
    "Blacks and Hispanics are at greater risk for recurrent strokes than whites.",
    "Vitamin D2 is from dietary sources.",
    # names listed in prose, by commas, are no legend
    "An electronic search of articles published from 2005 to 2012 in CINAHL, PubMed, Medline, "
    "EBSCO, Cochrane Library, EMBASE, and Pascal was performed.",
    "Patients with MS, RA, SLE, IBD, and T1D had lower levels; those with psoriasis did not.",
    # dates in prose, not a post's title and date
    "Patients enrolled between Jan 2012 and Dec 2013 – 245 in all – had lower vitamin D levels.",
    # 'supported by' as prose, not a funder
    "The benefit was supported by the Women's Health Study data in 36,000 women.",
    "Supported by the increasingly widespread provision of neonatal care, most units test.",
    # a figure's result stated in words
    "Figure 2 shows that mean 25(OH)D levels increased by decile of the predicted score.",
    # numbers with what they measure, and an abbreviation after a number of the sentence's own
    "Calcitriol concentrations increased from 17 pg/ml to 28 pg/ml after six months",
    "Training intensity was set at 60-70% of maximum heart rate and determined by 10 R.M.",
    # a paper's title that states its finding before the colon
    "Higher vitamin D levels were linked to fewer asthma attacks: a prospective cohort study.",
    "Low vitamin D predicts frailty in older men: a population-based study.",
    "High prevalence of vitamin D deficiency among night-shift nurses: a cross-sectional study.",
    "The trial compared two doses: 1,000 IU daily and 50,000 IU a month, in a pilot study.",
]


@pytest.mark.parametrize("line", JUNK)
def test_junk_is_never_quoted(line):
    assert is_junk(line)
    assert not findings.is_quotable(line)


@pytest.mark.parametrize("sentence", FINDINGS)
def test_results_stay_quotable(sentence):
    assert not is_junk(sentence)
    assert findings.is_quotable(sentence)


@pytest.mark.parametrize(
    "line",
    [
        "This%20difference%20may%20be%20due%20to%20managerial%20factors%20such%20as%20exposure"
        "%20to%20the%20sun%20and%20feeding%20the%20cows.",
        "Subgroup analysis demonstrated greater improvements in muscle function among subjects "
        "with lower baseline 25D levels [<20 ng/ml (50 nmol/liter)](<20%20ng/ml%20(50%20nmol/"
        "liter)).",
    ],
)
def test_a_link_address_pasted_into_the_text_is_not_quoted(line):
    """Spaces written '%20' are a link's address pasted into a sentence: never shown."""
    assert is_junk(line)
    assert not is_junk(line.replace("%20", " ").split("](")[0] + ".")


def _benchmark_check():
    """The junk check of benchmarks/findings.py (written apart from `retrieval.junk`)."""
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "findings.py"
    spec = importlib.util.spec_from_file_location("findings_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.junk_reasons


def test_benchmark_check_agrees_on_the_examples():
    """The benchmark's own check must see the same junk and pass the same findings, or a junk
    count of 0 would mean nothing."""
    junk_reasons = _benchmark_check()
    assert [line for line in JUNK if not junk_reasons(line)] == []
    assert [line for line in FINDINGS if junk_reasons(line)] == []


@pytest.mark.parametrize(
    ("line", "quotable"),
    [
        ("COV a ICC b IRR c (95% CI)", False),  # a table's header
        ("The War on Calcification C.", False),  # a heading
        ("By ELISABETH ROSENTHAL JULY 5, 2014, New York Times", False),  # a byline
        ("Median 25OHD was 16.5 nmol/L.", True),
        ("Increase Magnesium supplements to 500 mg/day", True),
    ],
)
def test_a_short_line_needs_a_word_in_lower_case(line, quotable):
    """Ten words or fewer and none of them in lower case: a heading, a table's header, a name or
    a citation, never a finding; the benchmark's own check agrees."""
    assert findings.is_quotable(line) is quotable
    assert bool(_benchmark_check()(line)) is not quotable
