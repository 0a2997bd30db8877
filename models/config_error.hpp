#pragma once
// A user's mistake in a config file or flag: reported as one line "file: key: problem", exit status 2.
#include <stdexcept>
#include <string>

namespace gsim {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, std::string key, std::string problem)
      : std::runtime_error(file + ": " + key + ": " + problem), file_(std::move(file)), key_(std::move(key)),
        problem_(std::move(problem))
  {
  }
  const std::string& file() const { return file_; }
  const std::string& key() const { return key_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string key_;
  std::string problem_;
};

} // namespace gsim
