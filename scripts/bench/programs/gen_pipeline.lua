-- gen_pipeline.lua -- Lua 5.4 twin of gen_pipeline.toy: each generator is a
-- coroutine.wrap, `yield from` a loop that yields each item, the generator
-- expressions small generator functions, send() a coroutine.resume with a
-- value.
-- usage: gen_pipeline.lua [N]
local gen, yield = coroutine.wrap, coroutine.yield

local function source(n)
    return gen(function()
        for start = 0, n - 1, 1000 do
            for x = start, math.min(start + 1000, n) - 1 do yield(x) end
        end
    end)
end

local function keep(pred, it)
    return gen(function()
        for x in it do
            if pred(x) then yield(x) end
        end
    end)
end

local function apply(f, it)
    return gen(function()
        for x in it do yield(f(x)) end
    end)
end

local function batches(it, size)
    return gen(function()
        local batch = {}
        for x in it do
            batch[#batch + 1] = x
            if #batch == size then
                yield(batch)
                batch = {}
            end
        end
        if #batch > 0 then yield(batch) end
    end)
end

local function flatten(groups)
    return gen(function()
        for g in groups do
            for _, x in ipairs(g) do yield(x) end
        end
    end)
end

local function accumulator()
    return coroutine.create(function()
        local count, total = 0, 0
        while true do
            local x = yield(count, total)
            count = count + 1
            total = (total + x) % 1000000007
        end
    end)
end

local n = tonumber(arg[1]) or 2000000
local scrambled = apply(function(x) return x * 7919 % 10007 end, source(n))
local odd = keep(function(v) return v % 2 == 1 end, scrambled)
local squared = apply(function(v) return v * v % 65536 end, odd)
local flat = flatten(batches(squared, 8))
local acc = accumulator()
coroutine.resume(acc)
local largest, count, total = 0, 0, 0
for v in flat do
    if v > largest then largest = v end
    local _
    _, count, total = coroutine.resume(acc, v)
end
print(string.format("stage 1: %d values, total %d, largest %d", count, total, largest))

local offset = 3
local sums = gen(function()
    for b in batches(keep(function(v) return v % 3 ~= 0 end, source(n)), 16) do
        local s = 0
        for _, x in ipairs(b) do s = s + x end
        yield(s + offset)
    end
end)
local n_sums, checksum = 0, 0
for s in sums do
    n_sums = n_sums + 1
    checksum = (checksum * 31 + s) % 1000000007
end
print(string.format("stage 2: %d batch sums, checksum %d", n_sums, checksum))
