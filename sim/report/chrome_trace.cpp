#include "sim/report/chrome_trace.hpp"

#include "models/units.hpp"

namespace gsim {
namespace {

// Microseconds (the format's unit) with exactly three decimals, printed from integer nanoseconds so that
// equal nanoseconds print equal text.
void append_us(std::string& out, int64_t ns)
{
  if (ns < 0) {
    out += '-';
    ns = -ns;
  }
  const int64_t frac = ns % 1000;
  out += std::to_string(ns / 1000);
  out += '.';
  out += char('0' + frac / 100);
  out += char('0' + frac / 10 % 10);
  out += char('0' + frac % 10);
}

} // namespace

void ChromeTrace::begin_event()
{
  out_ += events_++ ? ",\n" : "\n";
}

void ChromeTrace::process_name(int pid, const std::string& name)
{
  begin_event();
  out_ += "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) +
          ",\"tid\":0,\"args\":{\"name\":" + nlohmann::json(name).dump() + "}}";
}

void ChromeTrace::thread_name(int pid, int tid, const std::string& name)
{
  begin_event();
  out_ += "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) +
          ",\"args\":{\"name\":" + nlohmann::json(name).dump() + "}}";
}

void ChromeTrace::slice(int pid, int tid, const std::string& name, const std::string& category, double start_s,
                        double end_s, const nlohmann::json& args)
{
  const int64_t start = whole_ns(start_s), end = whole_ns(end_s);
  if (end <= start)
    return;
  begin_event();
  out_ += "{\"name\":" + nlohmann::json(name).dump() + ",\"cat\":" + nlohmann::json(category).dump() +
          ",\"ph\":\"X\",\"ts\":";
  append_us(out_, start);
  out_ += ",\"dur\":";
  append_us(out_, end - start);
  out_ += ",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid);
  if (not args.is_null())
    out_ += ",\"args\":" + args.dump();
  out_ += '}';
}

std::string ChromeTrace::json() const
{
  return "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[" + out_ + "\n]}\n";
}

} // namespace gsim
