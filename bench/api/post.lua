-- POST /v1/destinations with a unique address per request (a duplicate would be a 409).
local prefix = "run"
local counter = 0
function init(args)
  prefix = args[1] or prefix
end
function request()
  counter = counter + 1
  local body = '{"email":"' .. prefix .. "-" .. counter .. '@acme-logistics.com"}'
  return wrk.format("POST", "/v1/destinations", { ["Content-Type"] = "application/json", ["Authorization"] = wrk.headers["Authorization"] }, body)
end
