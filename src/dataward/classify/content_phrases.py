"""Phrase pools of the generated content corpus (:mod:`dataward.classify.content_corpus`):
names, companies, clauses, log messages... Each pool is split in halves by position (even for
training, odd for held-out documents), so their order matters: append, never reorder."""

from __future__ import annotations

FIRST = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jon",
    "Kemi",
    "Lars",
    "Mina",
    "Noah",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Viktor",
]


LAST = [
    "Lovelace",
    "Okafor",
    "Novak",
    "Garcia",
    "Chen",
    "Schmidt",
    "Rossi",
    "Kowalski",
    "Silva",
    "Nakamura",
    "Dubois",
    "Patel",
    "Jensen",
    "Moreau",
    "Haddad",
    "Ibrahim",
    "Costa",
    "Berg",
]


COMPANY = [
    "Acme Corp",
    "Globex Ltd",
    "Initech GmbH",
    "Umbrella Inc",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli LLC",
    "Vandelay Imports",
    "Soylent SA",
    "Tyrell BV",
    "Cyberdyne AG",
    "Wonka Holdings",
    "Pied Piper Inc",
    "Massive Dynamic plc",
]


PRODUCT = [
    "CloudSync",
    "DataVault",
    "Brightline",
    "Nimbus",
    "Quantum Desk",
    "PulseCRM",
    "OrbitPay",
    "SnapForm",
    "TrueNorth",
    "FlowBoard",
    "GreenLeaf",
    "Atlas Notes",
]


CONTRACT_FILES = ["msa", "nda", "contract", "agreement", "sow", "lease"]


MARKETING_FILES = ["press_release", "landing", "blog", "newsletter", "brochure"]


CONTINENTS = ["Europe", "Asia", "Africa", "Americas"]


COMMENTS = ["fine", "ok thanks", "good service", "late delivery", "call me back", "great", "meh"]


LICENSE = [
    "// Copyright {y} {c}. All rights reserved.\n// SPDX-License-Identifier: Apache-2.0\n",
    "/*\n * Copyright (c) {y} {c}\n * Licensed under the MIT License.\n */\n",
    "// Proprietary and confidential. Copyright {y} {c}.\n",
    "/* (c) {y} {c} - internal use only */\n",
]


IDENT = [
    "user",
    "order",
    "invoice",
    "session",
    "cache",
    "token",
    "item",
    "payload",
    "config",
    "request",
    "result",
    "buffer",
    "queue",
    "metric",
    "account",
    "report",
    "event",
    "node",
]


VERB = [
    "load",
    "save",
    "parse",
    "build",
    "fetch",
    "render",
    "update",
    "check",
    "compute",
    "send",
    "merge",
    "resolve",
    "flush",
    "encode",
    "decode",
    "validate",
    "apply",
    "collect",
]


SERVICES = [
    "postgres",
    "redis",
    "stripe",
    "aws",
    "sendgrid",
    "github",
    "slack",
    "smtp",
    "mongo",
    "kafka",
    "openai",
    "twilio",
    "s3",
    "ldap",
    "oauth",
    "jwt",
    "sentry",
    "rabbitmq",
]


CONTRACT_TITLES = [
    "MASTER SERVICES AGREEMENT",
    "MUTUAL NON-DISCLOSURE AGREEMENT",
    "SOFTWARE LICENSE AGREEMENT",
    "COMMERCIAL LEASE AGREEMENT",
    "DATA PROCESSING AGREEMENT",
    "CONSULTING AGREEMENT",
    "SUPPLY AGREEMENT",
    "STATEMENT OF WORK",
    "AMENDMENT NO. 2 TO THE RESELLER AGREEMENT",
    "MEMORANDUM OF UNDERSTANDING",
]


CLAUSE_HEADS = [
    "Definitions",
    "Term and Termination",
    "Confidentiality",
    "Indemnification",
    "Limitation of Liability",
    "Governing Law",
    "Payment Terms",
    "Warranties",
    "Intellectual Property",
    "Assignment",
    "Force Majeure",
    "Notices",
    "Entire Agreement",
    "Severability",
    "Dispute Resolution",
    "Audit Rights",
]


CLAUSES = [
    "The Receiving Party shall hold all Confidential Information in strict confidence and shall "
    "not disclose it to any third party without the prior written consent of the Disclosing Party.",
    "This Agreement shall commence on the Effective Date and continue for a period of {n} months "
    "unless terminated earlier in accordance with this Section.",
    "Either party may terminate this Agreement upon {n} days' written notice if the other party "
    "materially breaches any provision hereof and fails to cure such breach.",
    "Each party shall indemnify, defend and hold harmless the other party from and against any "
    "and all claims, losses, damages and liabilities arising out of its gross negligence.",
    "In no event shall either party be liable for any indirect, incidental, special or "
    "consequential damages, including loss of profits, even if advised of the possibility thereof.",
    "This Agreement shall be governed by and construed in accordance with the laws of the State of "
    "{state}, without regard to its conflict of laws principles.",
    "Customer shall pay all undisputed invoices within {n} days of receipt; late payments shall "
    "accrue interest at the lesser of one percent per month or the maximum rate permitted by law.",
    "Provider warrants that the Services will be performed in a professional and workmanlike "
    "manner consistent with generally accepted industry standards.",
    "All right, title and interest in and to the Deliverables shall vest in the Customer upon "
    "payment in full, save for the Provider's pre-existing materials.",
    "Neither party may assign or transfer this Agreement without the prior written consent of the "
    "other party, which consent shall not be unreasonably withheld.",
    "Neither party shall be liable for any failure or delay in performance caused by events beyond "
    "its reasonable control, including acts of God, war, strikes or governmental action.",
    "All notices under this Agreement shall be in writing and deemed given when delivered "
    "personally or by certified mail, return receipt requested, to the addresses set forth above.",
    "This Agreement constitutes the entire agreement between the parties and supersedes all prior "
    "understandings, whether written or oral, relating to its subject matter.",
    "If any provision of this Agreement is held invalid or unenforceable, the remaining provisions "
    "shall continue in full force and effect.",
    "Any dispute arising hereunder shall be finally settled by binding arbitration in {state} "
    "under the rules of the American Arbitration Association.",
    "The Licensee shall keep accurate records and permit the Licensor, upon {n} days' notice, to "
    "audit such records no more than once in any twelve-month period.",
]


STATES = ["Delaware", "New York", "California", "Texas", "England and Wales", "Ontario", "Bavaria"]


FIN_LINES = [
    "Revenue",
    "Cost of goods sold",
    "Gross profit",
    "Operating expenses",
    "EBITDA",
    "Net income",
    "Total assets",
    "Total liabilities",
    "Shareholders' equity",
    "Cash and cash equivalents",
    "Accounts receivable",
    "Accounts payable",
    "Depreciation and amortization",
    "Operating cash flow",
    "Capital expenditure",
    "Deferred revenue",
    "Interest expense",
    "Income tax expense",
]


FIN_PROSE = [
    "Revenue for the quarter increased {p}% year over year to ${m}, driven by subscription growth.",
    "Gross margin was {p}%, compared with {q}% in the prior-year period.",
    "Operating expenses rose to ${m} as we continued to invest in research and development.",
    "Net income attributable to shareholders was ${m}, or ${e} per diluted share.",
    "We ended the fiscal year with ${m} in cash, cash equivalents and marketable securities.",
    "Free cash flow for the period was ${m}, reflecting improved working capital.",
    "The Board approved a quarterly dividend of ${e} per share and a buyback of ${m}.",
    "Adjusted EBITDA margin expanded {p} basis points to {q}% on a constant-currency basis.",
    "Guidance: for fiscal {y} we expect revenue between ${m} and ${m2}.",
    "Accounts receivable increased to ${m}; days sales outstanding were {p} days.",
]


DEPTS = ["Engineering", "Sales", "Finance", "Legal", "Marketing", "Operations", "Support", "HR"]


TITLES = [
    "Software Engineer",
    "Account Executive",
    "Analyst",
    "Manager",
    "Director",
    "Recruiter",
    "Designer",
    "Paralegal",
    "Controller",
    "Team Lead",
    "Intern",
]


HR_PROSE = [
    "{n} joined the {d} team on {t} as {j}; probation ends after six months.",
    "Performance review: {n} meets expectations; rating {r} of 5. Merit increase of {p}% approved.",
    "Salary adjustment for {n}: new base salary {m} effective {t}, bonus target {p}%.",
    "{n} requested {p} days of parental leave starting {t}; manager approval pending.",
    "Disciplinary note: {n} received a written warning for repeated absence without notice.",
    "Offer letter: we are pleased to offer {n} the position of {j} in {d}, starting {t}.",
    "Exit interview with {n}: reason for leaving - career growth; eligible for rehire.",
    "Onboarding checklist for {n}: laptop, badge, payroll enrolment, benefits election by {t}.",
    "Promotion: {n} promoted to {j} with a compensation band change to level {r}.",
    "Headcount plan: {d} approved to hire {r} additional {j}s in the next quarter.",
]


DX = [
    "type 2 diabetes mellitus",
    "essential hypertension",
    "acute bronchitis",
    "migraine",
    "asthma, mild persistent",
    "hyperlipidemia",
    "major depressive disorder",
    "otitis media",
    "community-acquired pneumonia",
    "osteoarthritis of the knee",
    "atrial fibrillation",
    "chronic kidney disease stage 3",
    "urinary tract infection",
    "hypothyroidism",
]


MEDS = [
    "metformin 500 mg twice daily",
    "lisinopril 10 mg daily",
    "amoxicillin 875 mg BID",
    "sumatriptan 50 mg PRN",
    "albuterol inhaler 2 puffs q4h PRN",
    "atorvastatin 20 mg nightly",
    "sertraline 50 mg daily",
    "levothyroxine 75 mcg daily",
    "apixaban 5 mg BID",
    "ibuprofen 400 mg TID with food",
    "nitrofurantoin 100 mg BID x5 days",
]


SOAP = [
    "Subjective: patient reports {s} for {n} days, denies fever or chest pain.",
    "Objective: BP {bp} mmHg, HR {hr} bpm, temp {t} C, SpO2 {o}% on room air.",
    "Assessment: {dx}.",
    "Plan: start {med}; follow up in {n} weeks; labs ordered (CBC, BMP).",
    "History of present illness: {s}, worse at night; prior episodes treated with {med}.",
    "Allergies: NKDA. Current medications: {med}.",
    "Discharge summary: admitted for {dx}, treated with IV fluids and {med}; stable at discharge.",
    "Lab results: HbA1c {t}%, LDL {hr} mg/dL, creatinine 1.{o} mg/dL.",
]


SYMPTOMS = [
    "cough",
    "headache",
    "fatigue",
    "shortness of breath",
    "joint pain",
    "dizziness",
    "abdominal pain",
    "palpitations",
    "ear pain",
    "dysuria",
]


CHAT = [
    "hey, did you see the build failed again?",
    "yes looking at it now",
    "can we sync at 3?",
    "sure, sending an invite",
    "thanks!",
    "lol that deploy was wild",
    "who owns the billing bug?",
    "I think Dev does, ping him",
    "ok will do",
    "lunch?",
    "brb",
    "sounds good to me",
    "did the customer reply?",
    "not yet, I'll follow up tomorrow",
    "np",
    "great work today 🎉",
    "is the meeting still on?",
    "yep, same room",
    "can you review my PR",
    "on it",
]


SUPPORT = [
    "Hi, I can't log into my account.",
    "I'm sorry to hear that! Can you tell me the email on the account?",
    "My order hasn't arrived yet.",
    "Let me check the tracking for you.",
    "Thank you for waiting.",
    "Is there anything else I can help you with?",
    "No, that's all, thanks.",
    "I was charged twice this month.",
    "I've issued a refund; it should appear in 3-5 business days.",
    "That fixed it!",
]


PROMPTS = [
    "Summarize the following meeting notes in three bullet points.",
    "Translate this paragraph into French.",
    "Write a SQL query that lists overdue invoices.",
    "Classify the sentiment of this review: 'The product broke after a week.'",
    "Explain the difference between TCP and UDP.",
    "Draft a polite reply declining the offer.",
    "Extract the company names from the text below.",
    "What is the capital of Australia?",
    "Rewrite this email to sound more formal.",
    "Generate five title ideas for a blog post.",
    "You are a helpful assistant. Answer concisely.",
    "Fix the bug in this Python function.",
]


ANSWERS = [
    "Sure! Here are three bullet points:\n- Budget approved\n- Launch in May\n- Hiring paused",
    "Voici la traduction du paragraphe.",
    "SELECT id FROM invoices WHERE due_date < now();",
    "Negative.",
    "TCP is connection-oriented and reliable; UDP is connectionless and faster.",
    "Thank you for the offer; unfortunately we must decline at this time.",
    "Acme Corp, Globex Ltd",
    "Canberra.",
    "Dear Sir or Madam, I am writing to follow up.",
    "1. Ten Tips for Remote Teams\n2. Why Data Matters\n3. Scaling Without Pain",
    "As an AI language model, I can help with that.",
    "The loop should start at index 0.",
]


MODELS = [
    "gpt-4o",
    "gpt-4o-mini",
    "claude-3-5-sonnet",
    "llama-3-70b",
    "mistral-large",
    "gemini-1.5-pro",
]


OUTPUT_PROSE = [
    "Certainly! Here's a concise overview of the topic you asked about.",
    "In summary, the key factors are cost, speed and reliability.",
    "Here is a step-by-step guide:\n1. Open the settings.\n2. Select the account.\n3. Save.",
    "I hope this helps! Let me know if you'd like more detail on any point.",
    "Great question. There are several ways to approach this problem.",
    "Below is a draft you can adapt to your needs.",
    "Note: this response was generated automatically and may contain errors.",
    "Overall, the evidence suggests a moderate positive effect.",
    "To conclude, adopting a phased rollout reduces risk while preserving momentum.",
    "**Key takeaways:**\n- Start small\n- Measure everything\n- Iterate quickly",
    "As an AI, I don't have personal opinions, but here are some perspectives.",
    "Of course! Below you'll find three options, each with pros and cons.",
    "Sure! Here's a rewritten version of your paragraph with a more formal tone.",
    "Here's a summary of the main points:\n- The budget grew\n- Two risks remain",
    "I'm happy to help with that. Let me break it down step by step.",
    "Let me know if you'd like me to expand on any of these sections.",
    "As an AI language model, I cannot browse the internet, but I can explain the concept.",
    "Here are a few suggestions you might consider:\n1. Clarify the goal\n2. Set a deadline",
    "In conclusion, both approaches have merit depending on your constraints.",
    "I hope this answers your question! Feel free to ask a follow-up.",
    "**Summary:** the proposal is feasible, with moderate cost and low risk.",
    "Sure, here is the translated text, keeping the original formatting.",
    "Based on the information provided, the most likely explanation is a configuration error.",
    "Certainly. Below is an example implementation and an explanation of how it works.",
]


LOG_MSGS = [
    "connection established to {h}",
    "request completed in {n} ms",
    "cache miss for key {k}",
    "retrying job {k} (attempt {n})",
    "worker {n} started",
    "health check ok",
    "slow query took {n} ms",
    "failed to reach {h}: timeout after {n} s",
    "user session expired",
    "scheduled task {k} finished",
    "disk usage at {n}%",
    "TLS handshake failed with {h}",
    "queue depth {n}",
    "reloading configuration",
    "out of memory in worker {n}",
    "deprecated endpoint called: /v1/{k}",
]


MARKETING = [
    "Introducing {p}: the fastest way to organise your team's work.",
    "Sign up today and get your first month free.",
    "Learn more at our website.",
    "Join thousands of happy customers who trust {p} every day.",
    "{c} today announced the general availability of {p}, a new platform for modern teams.",
    "Our award-winning support team is here for you 24/7.",
    "Limited-time offer: save 30% on annual plans.",
    "Follow us for news, tips and product updates.",
    "Built for speed. Designed for simplicity. Loved by teams everywhere.",
    "Download the free e-book and discover five ways to boost productivity.",
    "About {c}: {c} builds software that helps businesses grow. Visit our newsroom for more.",
    "Subscribe to our newsletter and never miss an update.",
    "Watch the webinar on demand and see {p} in action.",
    "Press contact: media relations team. All trademarks are the property of their owners.",
    "Now available in 12 languages and on every device.",
    "Try it free - no credit card required.",
]


COLORS = ["red", "green", "blue", "yellow", "purple", "orange", "black", "white", "teal", "grey"]


COUNTRIES = ["France", "Japan", "Brazil", "Kenya", "Canada", "India", "Norway", "Peru", "Egypt"]


ITEMS = ["widget", "bolt", "lamp", "chair", "mug", "cable", "notebook", "sensor", "valve", "gear"]
