#include "models/network_published.hpp"

#include "models/json_reader.hpp"

namespace gsim {

PublishedNetwork load_published_network(const std::string& file)
{
  const auto j = read_json_file(file);
  JsonReader r(j, file);
  PublishedNetwork n;
  n.file              = file;
  n.efficiency        = r.number("efficiency", 1e-3, 1);
  n.efficiency_source = r.string("efficiency_source");
  n.latency_s         = r.number("latency_us", 0, 1e6) * 1e-6;
  n.latency_source    = r.string("latency_source");
  r.finish();
  return n;
}

} // namespace gsim
