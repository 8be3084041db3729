-- The mix an operator's dashboard sees: 70 % GET /v1/destinations/{id}, 20 % GET /v1/destinations
-- (a page), 10 % POST /v1/destinations with a unique address (a real insert and its mail).
-- Arguments: the id to get, and a prefix that makes this run's addresses unique.
local id = "none"
local prefix = "mixed"
local counter = 0
function init(args)
  id = args[1] or id
  prefix = args[2] or prefix
end
function request()
  counter = counter + 1
  local auth = { ["Authorization"] = wrk.headers["Authorization"] }
  local slot = counter % 10
  if slot < 7 then
    return wrk.format("GET", "/v1/destinations/" .. id, auth)
  elseif slot < 9 then
    return wrk.format("GET", "/v1/destinations?page[size]=20", auth)
  end
  local body = '{"email":"' .. prefix .. "-" .. counter .. '@acme-logistics.com"}'
  return wrk.format("POST", "/v1/destinations", { ["Content-Type"] = "application/json", ["Authorization"] = auth["Authorization"] }, body)
end
