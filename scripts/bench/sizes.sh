# sizes.sh -- the small sizes of the benchmarks, about 1/50 of the work
# make bench measures. Sourced, never run: by cachegrind.sh (instruction
# counts) and by scripts/build/pgo-train.sh (the profile-guided build's
# training run, when PGO_TRAIN_SET=bench asks it to train on the benchmarks).

# The sed expression that shrinks each benchmark (about 1/50 of its work).
shrink() {
    case $1 in
        alloc)      echo 's/n = 1000000$/n = 20000/' ;;
        bigint)     echo 's/pi_digits(2000)/pi_digits(200)/; s/factorial(1500)/factorial(300)/; s/range(20000)/range(2000)/' ;;
        dict)       echo 's/n = 200000$/n = 4000/' ;;
        fib)        echo 's/fib(30)/fib(20)/' ;;
        generators) echo 's/numbers(2000000)/numbers(40000)/' ;;
        list)       echo 's/n = 1000000$/n = 20000/' ;;
        loop)       echo 's/n = 10000000$/n = 200000/' ;;
        methods)    echo 's/range(2000000)/range(40000)/' ;;
        sets)       echo 's/n = 200000$/n = 4000/' ;;
        strings)    echo 's/range(70)/range(2)/' ;;
        *)          echo '' ;;
    esac
}

# The size each whole-program benchmark of programs/ runs at (its first
# argument): about 1/50 of its work, as for the micro-benchmarks.
program_size() {
    case $1 in
        bigint_calc)    echo 4000 ;;
        fannkuch)       echo 7 ;;
        gen_pipeline)   echo 20000 ;;
        json_roundtrip) echo 1 ;;
        nbody)          echo 1500 ;;
        nqueens)        echo 8 ;;
        raytrace)       echo 20 ;;
        richards)       echo 1 ;;
        spectral_norm)  echo 40 ;;
        *)              echo '' ;;
    esac
}
