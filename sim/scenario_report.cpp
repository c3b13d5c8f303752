#include "sim/scenario_report.hpp"

#include <fmt/format.h>

namespace zsim::sim {

std::vector<std::string> failure_lines(const ScenarioReport& report) {
  std::vector<std::string> lines;
  if (report.invalid()) return {report.load_error};
  if (!report.run.io_error.empty()) lines.push_back(report.run.io_error);
  for (const CheckFailure& failure : report.run.failures) lines.push_back(failure.line());
  if (report.determinism_checked && report.second_hash != report.run.trace_hash) {
    lines.push_back(fmt::format("determinism: expected the same trace hash twice, got {} then {}", report.run.trace_hash,
                                report.second_hash));
  }
  return lines;
}

std::vector<std::string> report_lines(const ScenarioReport& report) {
  if (report.invalid()) return {"INVALID " + report.load_error};
  const std::vector<std::string> failures = failure_lines(report);
  if (failures.empty()) {
    const std::string skipped =
        report.run.checks_skipped == 0 ? "" : fmt::format(", {} skipped: they read the fake redis", report.run.checks_skipped);
    return {fmt::format("PASS {} {} ({} checks{}, trace {}{}, simulated {})", report.file, report.name,
                        report.run.checks_total, skipped, report.run.trace_hash,
                        report.determinism_checked ? " twice" : "", format_offset(report.run.end_ms))};
  }
  std::vector<std::string> lines{fmt::format("FAIL {} {}: {}", report.file, report.name, failures.front())};
  for (std::size_t index = 1; index < failures.size(); index += 1) lines.push_back("     " + failures[index]);
  return lines;
}

namespace {

// Length of the valid UTF-8 character at the start of text (RFC 3629: no overlong form, no
// surrogate, nothing above U+10FFFF), or 0 when it is not one.
std::size_t utf8_length(std::string_view text) {
  const auto byte = [&text](std::size_t index) { return static_cast<unsigned char>(text[index]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  const std::size_t length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (length == 0 || text.size() < length) return 0;
  for (std::size_t index = 1; index < length; index += 1) {
    if ((byte(index) & 0xC0U) != 0x80U) return 0;
  }
  // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
  const unsigned char second = byte(1);
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) || (lead == 0xF0 && second < 0x90) ||
      (lead == 0xF4 && second > 0x8F)) {
    return 0;
  }
  return length;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  std::size_t index = 0;
  while (index < text.size()) {
    const char c = text[index];
    const std::size_t length = utf8_length(text.substr(index));
    if (length == 0) {
      // A file name or message that is not UTF-8 would make the whole document invalid XML.
      escaped += "\uFFFD";
      index += 1;
      continue;
    }
    if (length > 1) {
      escaped.append(text.substr(index, length));
      index += length;
      continue;
    }
    index += 1;
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&apos;"; break;
      default:
        // XML 1.0 allows no control characters but tab, newline and carriage return.
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
          escaped += '?';
        } else {
          escaped += c;
        }
    }
  }
  return escaped;
}

std::string junit_xml(const std::vector<ScenarioReport>& reports) {
  std::size_t failures = 0;
  std::size_t errors = 0;
  double seconds = 0;
  for (const ScenarioReport& report : reports) {
    errors += report.invalid() ? 1 : 0;
    failures += !report.invalid() && !report.passed() ? 1 : 0;
    seconds += report.wall_seconds;
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites name=\"zsim run\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n",
                     reports.size(), failures, errors, seconds);
  xml += fmt::format("  <testsuite name=\"zsim scenarios\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{:.3f}\">\n",
                     reports.size(), failures, errors, seconds);
  for (const ScenarioReport& report : reports) {
    const std::string name = report.name.empty() ? report.file : report.name;
    xml += fmt::format("    <testcase classname=\"scenarios\" name=\"{}\" file=\"{}\" time=\"{:.3f}\"", xml_escape(name),
                       xml_escape(report.file), report.wall_seconds);
    const std::vector<std::string> lines = failure_lines(report);
    if (lines.empty()) {
      xml += fmt::format(">\n      <system-out>trace_hash={} checks={}</system-out>\n    </testcase>\n",
                         report.run.trace_hash, report.run.checks_total);
      continue;
    }
    std::string body;
    for (const std::string& line : lines) body += xml_escape(line) + "\n";
    const char* element = report.invalid() ? "error" : "failure";
    xml += fmt::format(">\n      <{} message=\"{}\" type=\"{}\">{}</{}>\n    </testcase>\n", element, xml_escape(lines.front()),
                       report.invalid() ? "invalid scenario" : "expectation", body, element);
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

nlohmann::ordered_json report_json(const std::vector<ScenarioReport>& reports) {
  nlohmann::ordered_json scenarios = nlohmann::ordered_json::array();
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t invalid = 0;
  for (const ScenarioReport& report : reports) {
    nlohmann::ordered_json entry{{"file", report.file}};
    if (report.invalid()) {
      invalid += 1;
      entry["status"] = "invalid";
      entry["error"] = report.load_error;
      scenarios.push_back(entry);
      continue;
    }
    (report.passed() ? passed : failed) += 1;
    nlohmann::ordered_json failures = nlohmann::ordered_json::array();
    for (const CheckFailure& failure : report.run.failures) {
      failures.push_back({{"check", failure.check}, {"expected", failure.expected}, {"got", failure.got},
                          {"at_ms", failure.at_ms}, {"at", format_offset(failure.at_ms)}});
    }
    entry["name"] = report.name;
    entry["status"] = report.passed() ? "pass" : "fail";
    entry["trace_hash"] = report.run.trace_hash;
    if (report.determinism_checked) entry["second_trace_hash"] = report.second_hash;
    entry["checks"] = report.run.checks_total;
    entry["events"] = report.run.events;
    entry["end_ms"] = report.run.end_ms;
    entry["sim_seconds"] = report.run.wound_down_ms / 1000;
    entry["wall_seconds"] = report.wall_seconds;
    const RunSummary& summary = report.run.summary;
    entry["results"] = {{"ok", summary.results_ok}, {"error", summary.results_error}, {"deleted", summary.results_deleted}};
    entry["stats_published"] = summary.stats_published;
    entry["log_lines_produced"] = summary.log_lines_produced;
    entry["log_lines_published"] = summary.log_lines_published;
    entry["log_lines_dropped"] = summary.log_lines_dropped;
    entry["failures"] = failures;
    scenarios.push_back(entry);
  }
  return nlohmann::ordered_json{{"scenarios", scenarios}, {"passed", passed}, {"failed", failed}, {"invalid", invalid}};
}

}  // namespace zsim::sim
