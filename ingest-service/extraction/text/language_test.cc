#include "ingest-service/extraction/text/language.h"

#include "gtest/gtest.h"
#include "ingest-service/extraction/text/test_tables.h"

namespace relmon::extraction {
namespace {

using testing::Tables;

std::string Detect(absl::string_view text) { return DetectLanguage(Tables().language, text); }

TEST(DetectLanguageTest, EnglishOnShortNewsText) {
  EXPECT_EQ(Detect("Azerbaijan, Iran discuss current state of bilateral relations"), "en");
  EXPECT_EQ(Detect("Karabakh is an inseparable part of Azerbaijan, Iran's president says in Baku"),
            "en");
  EXPECT_EQ(Detect("Iran stages military drills near Azerbaijan border\nTEHRAN, 1 October 2021\n\n"
                   "Iran's army began large-scale military exercises near its border with "
                   "Azerbaijan on Friday, state television reported."),
            "en");
}

TEST(DetectLanguageTest, ScriptsAndLetters) {
  EXPECT_EQ(Detect("ایران و جمهوری آذربایجان روابط خود را گسترش می‌دهند و گفتگو "
                   "کردند"),
            "fa");
  EXPECT_EQ(Detect("وقالت وزارة الخارجية إن العلاقات بين البلدين جيدة"), "ar");
  EXPECT_EQ(Detect("Министр иностранных дел России встретился с коллегой из Азербайджана"), "ru");
  EXPECT_EQ(Detect("Міністр закордонних справ України зустрівся з колегою"), "uk");
  EXPECT_EQ(Detect("Қазақстан мен Әзірбайжан арасындағы қарым-қатынас дамып келеді"), "kk");
  EXPECT_EQ(Detect("Azərbaycan və İran arasında əlaqələr inkişaf edir"), "az");
  EXPECT_EQ(Detect("Türkiye ile Azerbaycan arasında ilişkiler gelişiyor ve bu çok önemli"), "tr");
  EXPECT_EQ(Detect("Հայաստանի արտաքին գործերի նախարարը"), "hy");
  EXPECT_EQ(Detect("საქართველოს საგარეო საქმეთა სამინისტრო"), "ka");
}

TEST(DetectLanguageTest, OtherLatinLanguagesByStopWords) {
  EXPECT_EQ(Detect("Le ministre des affaires étrangères a rencontré son homologue dans la "
                   "capitale pour les discussions"),
            "fr");
  EXPECT_EQ(Detect("Der Außenminister hat sich mit seinem Kollegen in der Hauptstadt getroffen "
                   "und die Beziehungen besprochen"),
            "de");
  EXPECT_EQ(Detect("El ministro de Asuntos Exteriores se reunió con su homólogo para las "
                   "conversaciones sobre la frontera"),
            "es");
}

TEST(DetectLanguageTest, UndeterminedInputs) {
  EXPECT_EQ(Detect(""), "und");
  EXPECT_EQ(Detect("12345 67.89 -- !!"), "und");
  EXPECT_EQ(Detect("Xqzv Brrt Kplm"), "und");
}

}  // namespace
}  // namespace relmon::extraction
