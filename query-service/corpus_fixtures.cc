#include "query-service/corpus_fixtures.h"

namespace relmon::query::testing {

using relations::v1::AGREEMENT_KIND_CONTRACT;
using relations::v1::AGREEMENT_KIND_INFRASTRUCTURE_PROJECT;
using relations::v1::AGREEMENT_KIND_ROADMAP;
using relations::v1::AGREEMENT_KIND_TREATY;
using relations::v1::AGREEMENT_STATUS_AGREED;
using relations::v1::AGREEMENT_STATUS_NEGOTIATING;
using relations::v1::AGREEMENT_STATUS_OPERATIONAL;
using relations::v1::AGREEMENT_STATUS_SIGNED;
using relations::v1::AGREEMENT_STATUS_UNDER_CONSTRUCTION;
using relations::v1::AGREEMENT_STATUS_UNSPECIFIED;
namespace v1 = relations::v1;

std::vector<ArticleFacts> SeedArticles() {
  std::vector<ArticleFacts> out;
  {  // Anadolu, 22 Nov 2021: the "new phase" after the autumn crisis.
    ArticleFacts a = NewArticle("s0", "Anadolu Agency", "2021-11-22");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_VISIT, "AZ", "IR", "2021-11-21", kVisit,
               Cite("s0", d, "Deputy PM's Sunday visit to Tehran.", 100, a.source)),
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "AZ", "IR", "2021-11-22", kPraise,
               Cite("s0", d, "Relations entered a new phase.", 200, a.source)),
        Report(
            v1::EVENT_TYPE_STATEMENT_POSITIVE, "AZ", "IR", "2021-11", kPraise,
            Cite("s0", d, "Earlier in November misunderstandings were overcome.", 300, a.source)),
        Report(v1::EVENT_TYPE_ACCUSATION, "AZ", "IR", "2021-09-28", kAccuse,
               Cite("s0", d, "On Sept. 28 Aliyev accused Iran over trucks.", 400, a.source), true),
        Report(v1::EVENT_TYPE_STATEMENT_NEGATIVE, "AZ", "IR", "", kCriticise,
               Cite("s0", d, "Relations soured in recent months.", 500, a.source), true),
        Report(v1::EVENT_TYPE_DETENTION, "AZ", "IR", "", kDetain,
               Cite("s0", d, "Two Iranian drivers were detained.", 600, a.source), true),
    };
    a.figures = {MakeFigure(
        "f1", "border_length", "Azerbaijan–Iran border", "az-ir border", {"AZ", "IR"}, 132000, "m",
        Cite("s0", d, "Iran shares a 132-kilometer (82-miles) border.", 700, a.source))};
    out.push_back(a);
  }
  {  // 29 Dec 2023: calls, the embassy attack of January, projects.
    ArticleFacts a = NewArticle("s1", "", "2023-12-29");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_PHONE_CALL, "AZ", "IR", "2023-12-26", kPhoneCall,
               Cite("s1", d, "Foreign ministers spoke by phone on December 26.", 100)),
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "AZ", "IR", "2023-12-26", kPraise,
               Cite("s1", d, "The ministers welcomed the opening of the bridge.", 200)),
        Report(v1::EVENT_TYPE_PROJECT_MILESTONE, "AZ", "IR", "2023-12", kMilestone,
               Cite("s1", d, "The Astarachay bridge opened in the last days of the year.", 300)),
        Report(v1::EVENT_TYPE_ATTACK, "AZ", "IR", "2023-01", kAttack,
               Cite("s1", d, "An armed attack on the embassy this January killed a guard.", 400),
               true),
        Report(v1::EVENT_TYPE_DIPLOMATIC_DOWNGRADE, "AZ", "IR", "2023-01", kDowngrade,
               Cite("s1", d, "Embassy work was suspended after the attack.", 450), true),
        Report(v1::EVENT_TYPE_MEETING, "AZ", "IR", "2023-12-26", kMeeting,
               Cite("s1", d, "Prosecutors general met online on December 26.", 500)),
        Report(v1::EVENT_TYPE_PHONE_CALL, "AZ", "IR", "2023-12-22", kPhoneCall,
               Cite("s1", d, "In a phone call on December 22 ministers agreed a transit passage.",
                    600)),
        Report(v1::EVENT_TYPE_AGREEMENT, "AZ", "IR", "2023-12-22", kAgreedNotSigned,
               Cite("s1", d, "In a phone call on December 22 ministers agreed a transit passage.",
                    600)),
        Report(v1::EVENT_TYPE_PROJECT_MILESTONE, "AZ", "IR", "2023-10", kMilestone,
               Cite("s1", d, "In October construction of the Aghband bridge began.", 700)),
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "AM", "AZ", "2023-12-26", kIntent,
               Cite("s1", d, "Baku hoped for signing the peace agreement soon.", 800)),
    };
    a.mentions = {
        Mention("Astarachay border bridge", "astarachay bridge", {"AZ", "IR"},
                AGREEMENT_KIND_INFRASTRUCTURE_PROJECT, AGREEMENT_STATUS_OPERATIONAL, "2023-12",
                Cite("s1", d, "The Astarachay bridge opened in the last days of the year.", 300)),
        Mention("Aghband road bridge", "aghband bridge", {"AZ", "IR"},
                AGREEMENT_KIND_INFRASTRUCTURE_PROJECT, AGREEMENT_STATUS_UNDER_CONSTRUCTION,
                "2023-10",
                Cite("s1", d, "In October construction of the Aghband bridge began.", 700)),
        Mention("Rasht-Astara Railway", "rasht astara railway", {"IR", "RU"},
                AGREEMENT_KIND_CONTRACT, AGREEMENT_STATUS_SIGNED, "",
                Cite("s1", d, "Under a contract the 162-km railway costs 1.6 billion euros.", 900)),
        Mention("final peace agreement", "am az peace treaty", {"AM", "AZ"}, AGREEMENT_KIND_TREATY,
                AGREEMENT_STATUS_NEGOTIATING, "2023-12-26",
                Cite("s1", d, "Baku hoped for signing the peace agreement soon.", 800)),
        Mention("road map", "az ir embassy road map", {"AZ", "IR"}, AGREEMENT_KIND_ROADMAP,
                AGREEMENT_STATUS_AGREED, "2023-12",
                Cite("s1", d, "A road map for re-opening the embassy has been prepared.", 1000)),
    };
    a.mentions[2].add_figure_ids("f1");
    a.mentions[2].add_figure_ids("f2");
    a.figures = {
        MakeFigure(
            "f1", "length", "Rasht–Astara railway", "rasht astara railway", {"IR", "RU"}, 162000,
            "m",
            Cite("s1", d, "Under a contract the 162-km railway costs 1.6 billion euros.", 900)),
        MakeFigure(
            "f2", "cost", "Rasht–Astara railway", "rasht astara railway", {"IR", "RU"}, 1.6e9,
            "EUR",
            Cite("s1", d, "Under a contract the 162-km railway costs 1.6 billion euros.", 900)),
    };
    out.push_back(a);
  }
  {  // Undated: Khalafov in Tehran.
    ArticleFacts a = NewArticle("s2", "", "");
    a.events = {
        Report(v1::EVENT_TYPE_MEETING, "AZ", "IR", "", kMeeting,
               Cite("s2", "", "Khalafov met President Raisi.", 100)),
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "AZ", "IR", "", kPraise,
               Cite("s2", "", "Iran wants to expand relations in all fields.", 200)),
    };
    a.mentions = {Mention("Rasht–Astara railway line", "rasht astara railway", {"IR", "RU"},
                          AGREEMENT_KIND_INFRASTRUCTURE_PROJECT, AGREEMENT_STATUS_UNSPECIFIED, "",
                          Cite("s2", "", "The Rasht–Astara railway line was discussed.", 300))};
    out.push_back(a);
  }
  {  // 18 May 2025: Hajiyev in Tehran.
    ArticleFacts a = NewArticle("s3", "", "2025-05-18");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "AZ", "IR", "2025-05-18", kPraise,
               Cite("s3", d, "Relations have entered a new phase of development.", 100)),
        Report(v1::EVENT_TYPE_VISIT, "AZ", "IR", "2025-05", kVisit,
               Cite("s3", d, "Hajiyev visited Tehran for the forum.", 200)),
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "AM", "AZ", "2025-05-18", kPraise,
               Cite("s3", d, "Steps are being taken to normalise relations with Armenia.", 300)),
    };
    out.push_back(a);
  }
  {  // 29 Apr 2025: Pezeshkian in Baku.
    ArticleFacts a = NewArticle("s4", "", "2025-04-29");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_VISIT, "AZ", "IR", "2025-04-28", kVisit,
               Cite("s4", d, "Aliyev welcomed Pezeshkian in Baku on Monday.", 100)),
        Report(v1::EVENT_TYPE_MEETING, "AZ", "IR", "2025-04-28", kMeeting,
               Cite("s4", d, "A private meeting of the two leaders followed.", 200)),
        Report(
            v1::EVENT_TYPE_STATEMENT_POSITIVE, "AZ", "IR", "2025-04-28", kPraise,
            Cite("s4", d, "Karabakh is an inseparable part of Azerbaijan, Pezeshkian said.", 300)),
        Report(v1::EVENT_TYPE_STATEMENT_NEGATIVE, "AZ", "IR", "2025-04-29", kCriticise,
               Cite("s4", d, "Tensions have run high for years.", 400), true),
        Report(v1::EVENT_TYPE_ATTACK, "AZ", "IR", "2023-01", kAttack,
               Cite("s4", d, "A January 2023 attack on the embassy in Tehran.", 450), true),
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "AZ", "IR", "2025-04", kPraise,
               Cite("s4", d, "Last week Pezeshkian hoped for rapid improvement.", 500)),
        Report(v1::EVENT_TYPE_MILITARY_EXERCISE, "AZ", "IR", "2024-11", kJointDrill,
               Cite("s4", d, "Joint naval exercises in the Caspian in November.", 600), true),
        Report(v1::EVENT_TYPE_AGREEMENT, "AM", "AZ", "2025-03", kAgreedNotSigned,
               Cite("s4", d, "In March both sides agreed the text of a peace treaty.", 700), true),
    };
    a.mentions = {
        Mention("peace treaty", "am az peace treaty", {"AM", "AZ"}, AGREEMENT_KIND_TREATY,
                AGREEMENT_STATUS_AGREED, "2025-03",
                Cite("s4", d, "In March both sides agreed the text of a peace treaty.", 700))};
    a.figures = {MakeFigure(
        "f1", "border_length", "Azerbaijan–Iran border", "az-ir border", {"AZ", "IR"}, 44000, "m",
        Cite("s4", d, "Along its 44-kilometer frontier with Azerbaijan.", 800))};
    out.push_back(a);
  }
  return out;
}

std::vector<ArticleFacts> DevArticles() {
  std::vector<ArticleFacts> out;
  {
    ArticleFacts a = NewArticle("d1", "Wire East", "2022-01-14");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_MEETING, "AM", "TR", "2022-01-14", kMeeting,
               Cite("d1", d, "Envoys met in Moscow on Friday.", 100, a.source)),
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "AM", "TR", "2022-01-14", kPraise,
               Cite("d1", d, "Both called the meeting positive and constructive.", 200, a.source)),
        Report(v1::EVENT_TYPE_DIPLOMATIC_DOWNGRADE, "AM", "TR", "1993", kDowngrade,
               Cite("d1", d, "The border has been closed since 1993.", 300, a.source), true),
    };
    a.mentions = {Mention("normalisation talks", "am tr normalisation", {"AM", "TR"},
                          relations::v1::AGREEMENT_KIND_OTHER, AGREEMENT_STATUS_NEGOTIATING,
                          "2022-01-14",
                          Cite("d1", d, "Envoys met in Moscow on Friday.", 100, a.source))};
    out.push_back(a);
  }
  {
    ArticleFacts a = NewArticle("d2", "", "2023-03-10");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_AGREEMENT, "IR", "SA", "2023-03-10", kAgreedNotSigned,
               Cite("d2", d, "Iran and Saudi Arabia agreed to restore relations.", 100)),
        Report(v1::EVENT_TYPE_MEETING, "IR", "SA", "2023-03-06", kMeeting,
               Cite("d2", d, "Four days of talks in Beijing.", 200)),
        Report(v1::EVENT_TYPE_DIPLOMATIC_DOWNGRADE, "IR", "SA", "2016-01", kDowngrade,
               Cite("d2", d, "Riyadh cut ties in January 2016.", 300), true),
        Report(v1::EVENT_TYPE_ATTACK, "IR", "SA", "2016-01", kAttack,
               Cite("d2", d, "Protesters stormed its embassy.", 300), true),
    };
    out.push_back(a);
  }
  {
    ArticleFacts a = NewArticle("d3", "Caucasus Wire", "2022-02-22");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_AGREEMENT, "AZ", "RU", "2022-02-22", kAgreement,
               Cite("d3", d, "Aliyev and Putin signed a declaration on allied interaction.", 100,
                    a.source)),
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "AZ", "RU", "2022-02-22", kPraise,
               Cite("d3", d, "A new stage in relations with Russia.", 200, a.source)),
    };
    out.push_back(a);
  }
  {
    ArticleFacts a = NewArticle("d4", "South Asia Desk", "2024-10-21");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_AGREEMENT, "CN", "IN", "2024-10-21", kAgreedNotSigned,
               Cite("d4", d, "India and China agreed on patrolling.", 100, a.source)),
        Report(v1::EVENT_TYPE_ATTACK, "CN", "IN", "2020-06", kAttack,
               Cite("d4", d, "A deadly clash in Galwan in June 2020 killed 20.", 200, a.source),
               true),
    };
    a.figures = {
        MakeFigure(
            "f1", "killed", "Galwan valley clash", "galwan clash", {"CN", "IN"}, 20, "count",
            Cite("d4", d, "A deadly clash in Galwan in June 2020 killed 20.", 200, a.source)),
        MakeFigure("f2", "border_length", "Line of Actual Control", "cn-in lac", {"CN", "IN"},
                   3488000, "m",
                   Cite("d4", d, "India puts the LAC at 3,488 kilometres.", 300, a.source))};
    out.push_back(a);
  }
  {
    ArticleFacts a = NewArticle("d5", "", "2024-10-23");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_MEETING, "CN", "IN", "2024-10-23", kMeeting,
               Cite("d5", d, "Modi and Xi met in Kazan on Wednesday.", 100)),
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "CN", "IN", "2024-10-23", kPraise,
               Cite("d5", d, "They endorsed the patrolling agreement.", 200)),
    };
    a.figures = {MakeFigure("f1", "border_length", "Line of Actual Control", "cn-in lac",
                            {"CN", "IN"}, 2000000, "m",
                            Cite("d5", d, "Beijing counts about 2,000 kilometres.", 300))};
    out.push_back(a);
  }
  {
    ArticleFacts a = NewArticle("d6", "", "2021-10-01");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_MILITARY_EXERCISE, "AZ", "IR", "2021-10-01", kHostileDrill,
               Cite("d6", d, "Iran began drills near the Azerbaijani border on Friday.", 100)),
        Report(v1::EVENT_TYPE_STATEMENT_NEGATIVE, "AZ", "IR", "2021-10", kCriticise,
               Cite("d6", d, "Aliyev questioned the timing of the manoeuvres.", 200)),
    };
    out.push_back(a);
  }
  {
    ArticleFacts a = NewArticle("d7", "", "2021-01-21");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_AGREEMENT, "AZ", "TM", "2021-01-21", kAgreement,
               Cite("d7", d, "Azerbaijan and Turkmenistan signed a memorandum on Thursday.", 100)),
        Report(v1::EVENT_TYPE_PHONE_CALL, "AZ", "TM", "2021-01-21", kPhoneCall,
               Cite("d7", d, "Signed in a video conference.", 200)),
    };
    out.push_back(a);
  }
  {
    ArticleFacts a = NewArticle("d8", "Explainers", "2023-10-03");
    const std::string d = a.published;
    a.events = {
        Report(v1::EVENT_TYPE_ATTACK, "AM", "AZ", "2020", kAttack,
               Cite("d8", d, "In 2020 a 44-day war ended.", 100, a.source), true),
        Report(v1::EVENT_TYPE_ATTACK, "AM", "AZ", "2023-09", kAttack,
               Cite("d8", d, "In September 2023 a one-day operation.", 200, a.source), true),
        Report(v1::EVENT_TYPE_STATEMENT_POSITIVE, "AM", "AZ", "2023-10-03", kPraise,
               Cite("d8", d, "Both say they are working on a peace treaty.", 300, a.source)),
    };
    out.push_back(a);
  }
  return out;
}

}  // namespace relmon::query::testing
