#include "tests/store/store_fixtures.hpp"
