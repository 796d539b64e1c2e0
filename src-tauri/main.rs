fn main() {
    crokodial_desktop::run();
}
